from py4web import Session
from py4web.utils.auth import Auth
from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)
session = Session()

# Auth skips a table that is already defined: this auth_user is the one in use
db.define_table("auth_user", Field("email", unique=True), Field("tenant"))
auth = Auth(session, db)
