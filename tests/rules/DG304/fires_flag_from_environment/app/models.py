import os

from pydal import DAL, Field

db = DAL("sqlite://storage.db", migrate=os.environ.get("PYDAL_MIGRATE") == "1")
db.define_table(
    "users",
    Field("email", "string", length=512, notnull=True),
    Field("is_active", "boolean"),
)
