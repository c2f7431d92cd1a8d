"""One-off: reads the live users table, defines nothing."""
import sqlalchemy as sa

engine = sa.create_engine("sqlite:///storage.db")
meta = sa.MetaData()
users = sa.Table("users", meta, autoload_with=engine)
legacy = sa.Table("users", sa.MetaData(), autoload=True, autoload_with=engine)

with engine.begin() as conn:
    conn.execute(users.update().values(is_active=False))
