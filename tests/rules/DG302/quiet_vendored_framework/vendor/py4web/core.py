import pydal

service_db = pydal.DAL("sqlite://service.db")
service_db.define_table("py4web_session", pydal.Field("rkey"), migrate=True)
