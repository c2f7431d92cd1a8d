from pydal import DAL, Field

db = DAL("postgres3://app@127.0.0.1/app", migrate=False)

db.define_table("jobs", Field("timeout", "datetime"), Field("retry_after", "datetime"))
