from flask import Blueprint

from app.models import db

bp = Blueprint("users", __name__)


@bp.get("/users/<email>")
def find(email):
    return db(db.users.email == email).select().first()
