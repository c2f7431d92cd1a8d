from pydal import DAL, Field

db = DAL("mysql://app@127.0.0.1/app", migrate=False)
db.define_table(
    "users",
    Field("email", "string", length=512, notnull=True),
    Field("is_active", "boolean"),
)
