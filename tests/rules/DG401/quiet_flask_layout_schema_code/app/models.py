from pydal import DAL, Field

db = DAL("sqlite://storage.db", migrate=False, fake_migrate_all=True)
db.define_table(
    "users",
    Field("email", "string", length=512, notnull=True),
    Field("is_active", "boolean"),
)
