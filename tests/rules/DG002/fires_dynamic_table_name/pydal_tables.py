from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

prefix = "tenant"
db.define_table(f"{prefix}_users", Field("email"))
