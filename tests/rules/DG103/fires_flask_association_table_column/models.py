from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

post_tags = db.Table(
    "post_tags",
    db.Column("post_id", db.Integer, db.ForeignKey("post.id"), primary_key=True),
    db.Column("tag_id", db.Integer, db.ForeignKey("tag.id"), primary_key=True),
    db.Column("added_by", db.String(80)),
)


class Post(db.Model):
    id = db.Column(db.Integer, primary_key=True)


class Tag(db.Model):
    id = db.Column(db.Integer, primary_key=True)
