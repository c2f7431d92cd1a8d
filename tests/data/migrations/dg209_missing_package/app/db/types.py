"""Application column types, built on a package drift-guard's environment lacks."""
import sqlalchemy as sa
from sqlalchemy_utils import ScalarListType  # not installed where drift-guard runs


class Tags(ScalarListType):
    cache_ok = True


def short_string():
    return sa.String(50)
