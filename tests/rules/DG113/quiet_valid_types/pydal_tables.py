from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

db.define_table("users")
db.define_table("jobs", Field("retries", "bigint"), Field("price", "decimal(10,2)"), Field("owner", "reference users"))
