from flask import Blueprint

from app.db.models import User
from app.extensions import db

bp = Blueprint("users", __name__)


@bp.get("/users/<email>")
def find(email):
    return db.session.query(User).filter_by(email=email).first()
