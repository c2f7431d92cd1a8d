"""The models package. Billing is imported only where nothing runs it while
Alembic loads env.py: under TYPE_CHECKING, and in a helper nobody calls then."""
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.db import billing  # noqa: F401


def load_billing() -> None:
    from app.db import billing  # noqa: F401
