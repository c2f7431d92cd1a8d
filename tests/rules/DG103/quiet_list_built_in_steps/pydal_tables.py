from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

user_fields = [Field("email")]
user_fields += [Field("phone")]
user_fields.append(Field("role"))
db.define_table("users", *user_fields)
