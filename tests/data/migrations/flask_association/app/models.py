from pydal import DAL, Field

db = DAL("sqlite://storage.db", migrate=False)
db.define_table("user", Field("name", length=80, notnull=True))
db.define_table("blog_post", Field("title", length=200, notnull=True))
db.define_table("tag", Field("name", length=50, notnull=True))
db.define_table(
    "post_tags",
    Field("post_id", "reference blog_post", notnull=True, ondelete="NO ACTION"),
    Field("tag_id", "reference tag", notnull=True, ondelete="NO ACTION"),
    primarykey=["post_id", "tag_id"],
)
db.define_table(
    "post_editors",
    Field("post_id", "reference blog_post", notnull=True, ondelete="NO ACTION"),
    Field("user_id", "reference user", notnull=True, ondelete="NO ACTION"),
    primarykey=["post_id", "user_id"],
)
db.define_table(
    "user_follows",
    Field("follower_id", "reference user", notnull=True, ondelete="NO ACTION"),
    Field("followed_id", "reference user", notnull=True, ondelete="NO ACTION"),
    primarykey=["follower_id", "followed_id"],
)
