from py4web import Session
from py4web.utils.auth import Auth

from pydal_tables import db

session = Session()
auth = Auth(session, db)
