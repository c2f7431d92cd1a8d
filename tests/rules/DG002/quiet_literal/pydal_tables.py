from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

common = [Field("email", length=255)]
db.define_table("users", *common)
