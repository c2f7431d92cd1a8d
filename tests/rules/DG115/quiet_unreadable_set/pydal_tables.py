from pydal import DAL, Field
from pydal.validators import IS_IN_SET

from app.states import load_states

db = DAL("sqlite:memory", migrate=False)

# a set built at run time, and a field without a set: neither is compared
db.define_table(
    "orders",
    Field("state", length=7, requires=IS_IN_SET(load_states())),
    Field("kind", length=9),
)
