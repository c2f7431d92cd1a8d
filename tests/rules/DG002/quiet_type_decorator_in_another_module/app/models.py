from pydal import DAL, Field

db = DAL("postgres3://app@127.0.0.1/app", migrate=False)
db.define_table(
    "users",
    Field("email", length=255, notnull=True),
    Field("balance", "decimal(12,2)"),
    Field("seen_at", "datetime"),
)
