from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)
db.define_table(
    "users",
    Field("full_name"),  # drift-guard: ignore[DG106] -- widened on purpose, see ADR-12
)
