from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)
db.define_table("users", Field("full_name", length=255))  # drift-guard: ignore[DG106] -- fixed since
