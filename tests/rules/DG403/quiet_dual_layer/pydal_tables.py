from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

db.define_table("settings", Field("key", length=64), primarykey=["key"])
