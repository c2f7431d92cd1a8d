from pydal import DAL, Field

db = DAL("sqlite://storage.db", migrate=False)
db.define_table("users", Field("email", length=100))
