from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

db.define_table("users")
db.define_table("memberships", Field("user_id", "reference users", ondelete="NO ACTION"))
