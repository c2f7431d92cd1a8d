from pydal import DAL, Field

db = DAL("sqlite://storage.db", migrate=False)
db.define_table("post")
db.define_table("tag")
db.define_table(
    "post_tags",
    Field("post_id", "reference post", notnull=True),
    Field("tag_id", "reference tag", notnull=True),
    primarykey=["post_id", "tag_id"],
)
