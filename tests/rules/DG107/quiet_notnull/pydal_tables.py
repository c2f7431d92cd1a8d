from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

db.define_table("teams", Field("name", length=100, notnull=True), Field("description", length=200))
