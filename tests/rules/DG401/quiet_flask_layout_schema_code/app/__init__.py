from flask import Flask

from app.extensions import db


def create_app() -> Flask:
    app = Flask(__name__)
    db.init_app(app)
    from app import views  # the app factory imports the views: not while env.py loads

    app.register_blueprint(views.bp)
    return app
