db = DAL("sqlite://storage.sqlite")  # noqa: F821 - web2py's model files run with DAL in scope
db.define_table("welcome_note", Field("body"), migrate=True)  # noqa: F821
