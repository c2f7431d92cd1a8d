from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

signature = [Field("created_on", "datetime")]
db._common_fields.extend(signature)

db.define_table("users", Field("email"), Field("phone"))
