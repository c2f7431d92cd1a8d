from app.extensions import db


class User(db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(512), nullable=False)
    is_active = db.Column(db.Boolean)
