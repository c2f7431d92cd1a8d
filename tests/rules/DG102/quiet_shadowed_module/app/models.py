# The package app/models/ is imported instead of this file: it never runs.
from pydal import DAL, Field

db = DAL("sqlite://legacy.db")
db.define_table("legacy_users", Field("email"))
