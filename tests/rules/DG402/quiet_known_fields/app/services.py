from app.models import db


def active():
    return db(db.users.is_active == True).select(db.users.id, db.users.email)
