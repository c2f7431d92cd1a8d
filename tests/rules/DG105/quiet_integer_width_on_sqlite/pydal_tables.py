from pydal import DAL, Field

db = DAL("sqlite://storage.db", migrate=False)
db.define_table("counters", Field("hits", "bigint"), Field("bytes_sent", "integer"), Field("small", "integer"))
