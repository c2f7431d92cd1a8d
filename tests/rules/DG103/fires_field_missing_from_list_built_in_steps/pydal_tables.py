from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

user_fields = [Field("email")]
user_fields += [Field("phone")]
# role was dropped from the list
db.define_table("users", *user_fields)
