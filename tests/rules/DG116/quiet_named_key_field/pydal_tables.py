from pydal import DAL, Field

db = DAL("sqlite:memory", migrate=False)

db.define_table("warehouses", Field("code", length=8), primarykey=["code"])
db.define_table("bins", Field("number", "integer"), primarykey=["number"])
db.define_table("pallets", Field("label"))
db.define_table(
    "stock",
    Field("warehouse_code", "reference warehouses.code"),  # names the key: its string type is kept
    Field("backup_code", "big-reference warehouses"),  # big-reference converts nothing
    Field("bin_number", "reference bins"),  # an integer key
    Field("pallet", "reference pallets"),  # not keyed: its id
    Field("pallets", "list:reference pallets"),
)
