from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

db.define_table("warehouses", Field("code", length=8), primarykey=["code"])
db.define_table(
    "stock",
    Field("warehouse_code", "reference warehouses"),
    Field("home_code", db.warehouses),
    Field("route", "list:reference warehouses.code"),
)
