from pydal import DAL, Field

db = DAL("mysql://app@127.0.0.1/app", migrate=False)

db.define_table(
    "documents",
    Field("body", "text"),
    Field("summary", "text"),
    Field("note", "text"),
    Field("views", "integer"),
    Field("rank", "integer"),
    Field("edited_at", "datetime"),
    Field("published_at", "datetime"),
    Field("score", "double"),
    Field("raw", "blob"),
    Field("meta", "json"),
)
