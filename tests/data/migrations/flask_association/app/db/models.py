import sqlalchemy as sa

from app.db import db

post_editors = sa.Table(
    "post_editors",
    db.metadata,
    sa.Column("post_id", sa.Integer, sa.ForeignKey("blog_post.id"), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("user.id"), primary_key=True),
)


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), nullable=False)


class BlogPost(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(200), nullable=False)
    tags = db.relationship("Tag", secondary="post_tags")


class Tag(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50), nullable=False)
