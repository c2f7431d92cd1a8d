from pydal import DAL, Field

db = DAL("sqlite://storage.sqlite")
db.define_table("auth_user", Field("first_name"), migrate=True)
