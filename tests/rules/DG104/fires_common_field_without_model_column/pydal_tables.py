from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

db._common_fields.append(Field("tenant_id", "integer"))

db.define_table("users", Field("email"))
