from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

db.define_table("users")
db.define_table("jobs", Field("retries", "big-integer"), Field("price", "decimal"))
