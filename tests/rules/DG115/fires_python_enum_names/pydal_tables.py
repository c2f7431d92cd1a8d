from pydal import DAL, Field
from pydal.validators import IS_IN_SET

db = DAL("sqlite:memory", migrate=False)

db.define_table("users", Field("status", length=6, requires=IS_IN_SET(["active", "banned"])))
