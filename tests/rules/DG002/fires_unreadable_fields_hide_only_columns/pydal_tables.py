from pydal import DAL, Field

from app.fields import load_fields

db = DAL("sqlite:memory", migrate=False)

# load_fields() may define `phone`: only DG103 is off for `users`; `email` is still compared
db.define_table("users", Field("email"), *load_fields())
