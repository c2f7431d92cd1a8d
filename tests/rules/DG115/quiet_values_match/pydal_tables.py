from pydal import DAL, Field
from pydal.validators import IS_EMPTY_OR, IS_IN_SET, IS_NOT_EMPTY

db = DAL("sqlite:memory", migrate=False)

STATES = {"new": "New", "paid": "Paid", "shipped": "Shipped"}

db.define_table(
    "orders",
    Field("state", length=7, requires=IS_EMPTY_OR(IS_IN_SET(STATES))),
    Field("kind", length=9, requires=[IS_NOT_EMPTY(), IS_IN_SET([("retail", "Retail"), ("wholesale", "Wholesale")])]),
)
