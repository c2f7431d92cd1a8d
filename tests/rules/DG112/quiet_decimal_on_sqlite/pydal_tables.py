from pydal import DAL, Field

db = DAL("sqlite://storage.db", migrate=False)
db.define_table("invoices", Field("total", "decimal(12,2)", notnull=True), Field("tax", "decimal(12,2)"))
