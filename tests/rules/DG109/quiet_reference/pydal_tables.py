from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

db.define_table("teams")
db.define_table("invoices", Field("team_id", db.teams))
