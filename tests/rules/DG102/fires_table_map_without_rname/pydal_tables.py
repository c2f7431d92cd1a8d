from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

# table-map pairs `audit` with the model's `audit_log`, but PyDAL queries `audit`
db.define_table("audit")
