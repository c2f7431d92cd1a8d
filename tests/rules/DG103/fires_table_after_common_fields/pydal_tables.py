from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

signature = [Field("created_on", "datetime")]
db._common_fields.extend(signature)

# phone is missing: reported although the table also gets the common fields
db.define_table("users", Field("email"))
