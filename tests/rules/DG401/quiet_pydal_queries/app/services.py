from app.models import db


def find(email):
    return db(db.users.email == email).select().first()
