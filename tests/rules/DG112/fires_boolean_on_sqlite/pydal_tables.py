from pydal import DAL, Field

db = DAL("sqlite://storage.db", migrate=False)
db.define_table("users", Field("is_active", "boolean", notnull=True), Field("is_admin", "boolean"))
