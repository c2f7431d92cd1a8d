from pydal import DAL, Field

db = DAL("mysql://app@127.0.0.1/app", migrate=False)

db.define_table("documents", Field("body"))
