from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

db.define_table("users", Field("full_name", "string", length=255))
