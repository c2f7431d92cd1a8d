from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

db.define_table("audit", rname="audit_log")
