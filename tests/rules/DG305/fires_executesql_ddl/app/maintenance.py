from app.models import db


def add_nickname():
    db.executesql("ALTER TABLE users ADD COLUMN nickname VARCHAR(64)")
