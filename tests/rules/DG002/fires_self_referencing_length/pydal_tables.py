from pydal import DAL, Field

db = DAL("sqlite://app.db", migrate=False)

TITLE_LEN = TITLE_LEN

db.define_table("docs", Field("title", length=TITLE_LEN))
