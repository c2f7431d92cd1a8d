"""Extractors: libcst trees in, :class:`~drift_guard.schema.Schema` out.

Extractors never report findings; what they cannot read becomes a
:class:`~drift_guard.schema.Problem` on the schema.
"""
