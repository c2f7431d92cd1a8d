from py4web import Session
from py4web.utils.auth import Auth
from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)
session = Session()

auth = Auth(session, db)
# PyDAL raises `table already defined`: Auth defined auth_user above (redefine=True would replace it)
db.define_table("auth_user", Field("email", unique=True), Field("tenant"))
