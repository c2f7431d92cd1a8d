from pydal import DAL, Field
from pydal.validators import IS_IN_SET

db = DAL("sqlite:memory", migrate=False)

db.define_table(
    "orders",
    Field("state", length=7, requires=IS_IN_SET(["new", "paid", "shipped", "refunded"])),
    Field("kind", length=9, requires=IS_IN_SET(["retail", "wholesale"])),
)
