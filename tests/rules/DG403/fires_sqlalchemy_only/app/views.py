from sqlalchemy.orm import Session

from app.db.models import User


def find(engine, email):
    with Session(engine) as session:
        return session.query(User).filter_by(email=email).first()
