from pydal import DAL


def init_pydal(uri, migrate=True):
    return DAL(uri, migrate=migrate)
