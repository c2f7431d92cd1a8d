from app.db.models import Base

target_metadata = Base.metadata
