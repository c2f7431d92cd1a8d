from pydal import DAL, Field

db = DAL("sqlite://storage.db", migrate_enabled=False)
db.define_table(
    "users",
    Field("email", "string", length=512, notnull=True),
    Field("is_active", "boolean"),
)
