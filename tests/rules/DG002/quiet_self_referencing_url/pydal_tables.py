from pydal import DAL, Field

db = DAL("sqlite://app.db", migrate=False)

db.define_table("docs", Field("title", length=200))
