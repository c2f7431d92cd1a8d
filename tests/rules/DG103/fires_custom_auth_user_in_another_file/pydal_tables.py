from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

# the application's own auth_user: common.py imports this file before Auth runs, so Auth
# leaves it alone and it is compared in full (no phone)
db.define_table("auth_user", Field("email"))
