from pydal import DAL, Field

# an app of the project's own (not one py4web ships): checked like any other
db = DAL("sqlite://todo.db")
db.define_table("todo_item", Field("title"), migrate=False)
