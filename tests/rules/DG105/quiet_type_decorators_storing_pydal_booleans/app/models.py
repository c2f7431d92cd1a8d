from pydal import DAL, Field

db = DAL("mysql://app@127.0.0.1/app", migrate=False)
db.define_table(
    "users",
    Field("is_active", "boolean", notnull=True),
    Field("is_admin", "boolean"),
    Field("is_staff", "boolean"),
)
