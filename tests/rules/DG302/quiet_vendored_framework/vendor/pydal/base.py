class DAL:
    def __init__(self, uri="sqlite://dummy.db", migrate=True, **kwargs):
        self._uri = uri


def _smoke_test():
    db = DAL("sqlite:memory")
    db.define_table("person", migrate=True)
