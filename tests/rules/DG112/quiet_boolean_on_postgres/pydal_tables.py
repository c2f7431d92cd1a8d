from pydal import DAL, Field

# postgres:// declares booleans CHAR(1) and writes 'T'/'F'; PostgreSQL casts
# those into the model's BOOLEAN column and PyDAL reads True/False back
db = DAL("postgres://app@127.0.0.1/app", migrate=False)
db.define_table("users", Field("is_active", "boolean", notnull=True), Field("is_admin", "boolean"))
