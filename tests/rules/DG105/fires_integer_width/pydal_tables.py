from pydal import DAL, Field

db = DAL("postgres://app@127.0.0.1/app", migrate=False)
db.define_table("counters", Field("hits", "bigint"), Field("bytes_sent", "integer"), Field("small", "integer"))
