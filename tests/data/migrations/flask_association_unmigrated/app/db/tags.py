"""Flask-SQLAlchemy's db.Table in a module of its own: it lands in db.metadata."""
from app.db import db

post_tags = db.Table(
    "post_tags",
    db.Column("post_id", db.Integer, db.ForeignKey("blog_post.id"), primary_key=True),
    db.Column("tag_id", db.Integer, db.ForeignKey("tag.id"), primary_key=True),
)
