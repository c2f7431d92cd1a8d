from app.models import db

rows = db.executesql("SELECT count(*) FROM users")
