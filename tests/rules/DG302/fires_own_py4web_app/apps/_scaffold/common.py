from pydal import DAL, Field

db = DAL("sqlite://storage.db")
db.define_table("thing", Field("name"), migrate=True)
