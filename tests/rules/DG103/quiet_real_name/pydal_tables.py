from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

db.define_table("users", Field("member_role", length=20))
