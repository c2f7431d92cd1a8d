from app.models import db


def find(email):
    return db(db.users.mail == email).select().first()
