from pydal import DAL

db = DAL("sqlite:memory", migrate=True)
db.executesql("CREATE TABLE scratch (x INTEGER)")
