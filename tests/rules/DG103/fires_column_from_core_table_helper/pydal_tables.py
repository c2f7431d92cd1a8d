from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

db.define_table("events", Field("kind"))  # no created_at
