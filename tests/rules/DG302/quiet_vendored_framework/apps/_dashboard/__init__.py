from pydal import DAL

db = DAL("sqlite://dashboard.db")
