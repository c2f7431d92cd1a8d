"""Mask credentials in text drift-guard prints.

Messages quote URLs: the ``--database-url`` in a connection error, a DAL or
SQLAlchemy URL in the code a finding quotes. Whatever is printed may end up in a
CI log, a pull-request annotation or a SARIF upload, so every password in them
is replaced by ``***``: the userinfo password (``scheme://user:secret@host``)
and query parameters that carry secrets (``?password=``, ``&sslpassword=``,
``token=``, ``api_key=``, ...). Over-masking is harmless; a leak is not, so the
patterns err on the side of masking.
"""

from __future__ import annotations

import re

MASK = "***"

# scheme://user:password@ (PyDAL's scheme may carry a driver: postgres:psycopg2://).
# The password may hold "/"; a raw "@" in it (invalid, but written) extends it up
# to the last "@" before the host, so no part of it is shown as the host. Quoted
# code is often shortened with "...": a URL cut inside its password has no "@"
# left, and what remains of the password is masked all the same.
_HEAD = r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*:(?:[A-Za-z0-9+.\-]*:)?//[^\s:/@'\"`<>]*:)"
_USERINFO = re.compile(_HEAD + r"(?P<secret>[^\s@'\"`<>]+(?:@[^\s@'\"`<>/?#]*(?=@))*)(?=@)")
_CUT_USERINFO = re.compile(_HEAD + r"(?P<secret>[^\s@'\"`<>]+?)(?=\.\.\.|\u2026)")
# ?password=... &sslpassword=... ;token=... : any parameter whose name says
# secret; also the key=value spellings of libpq connection strings
# ("host=db password=...") and keyword arguments in quoted code (password="...").
_SECRET_NAME = (
    r"[\w.\-]*?(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_\-]?key|access[_\-]?key"
    r"|private[_\-]?key|sslkey|auth|credentials?|signature|sig)(?:[_.\-][\w.\-]*)?"
)
_QUERY = re.compile(
    rf"(?P<head>(?:^|(?<=[?&;,(\s]))(?:{_SECRET_NAME})\s*=\s*)(?P<secret>'[^']*'|\"[^\"]*\"|[^&;#\s'\"`<>,)]+)",
    re.IGNORECASE,
)


def mask_credentials(text: str) -> str:
    """``text`` with every URL password and secret query parameter masked."""
    if not text or ("://" not in text and "=" not in text):
        return text
    text = _USERINFO.sub(lambda m: m.group("head") + MASK, text)
    text = _CUT_USERINFO.sub(lambda m: m.group("head") + MASK, text)
    return _QUERY.sub(lambda m: m.group("head") + _masked(m.group("secret")), text)


def _masked(secret: str) -> str:
    quote = secret[0] if secret[:1] in ("'", '"') else ""
    return f"{quote}{MASK}{quote}"
