"""Declarative classes: which base they sit on, their MRO, and their columns.

Follows SQLAlchemy's declarative scan: a class is mapped when it derives from a
declarative base, is not ``__abstract__`` and has a ``__tablename__`` (or a
``__table__``, or a mapped ancestor: single-table inheritance). Columns come
from the class itself and from unmapped classes in its MRO (mixins, abstract
bases), the first definition of a name in MRO order winning, exactly as Python
attribute lookup does; names a mapped ancestor already maps stay with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import libcst as cst

from drift_guard.extract.sqlalchemy.body import BodyReader, ClassBody, Member
from drift_guard.extract.sqlalchemy.flask import declares_primary_key, flask_tablename
from drift_guard.extract.sqlalchemy.known import Role, is_columnless_external, sa_role
from drift_guard.extract.sqlalchemy.literals import (
    bool_literal,
    literal,
    string_literal,
)
from drift_guard.extract.sqlalchemy.modules import External, ModuleIndex, Ref
from drift_guard.extract.sqlalchemy.roots import BaseRoot, RootReader
from drift_guard.extract.sqlalchemy.tablename import computed_tablename

Klass = Union[Ref, External]


@dataclass(frozen=True)
class TableName:
    kind: str  # "name" | "sti" | "computed" | "none"
    name: str | None = None
    node: cst.CSTNode | None = None


@dataclass(frozen=True)
class Attribute:
    member: Member
    owner: Ref
    inherited_mapped: bool  # already mapped by a mapped ancestor


class ClassModel:
    def __init__(self, index: ModuleIndex, bodies: BodyReader, roots: RootReader) -> None:
        self.index = index
        self.bodies = bodies
        self.root_reader = roots
        self._bodies: dict[str, ClassBody] = {}
        self._bases: dict[str, list[Klass]] = {}
        self._mro: dict[str, list[Klass]] = {}
        self._roots: dict[str, tuple[tuple[BaseRoot, ...], tuple[str, ...]]] = {}
        self._attrs: dict[str, dict[str, Attribute]] = {}
        self._mapped: dict[str, bool] = {}
        roots.class_mid = self.class_mid

    def class_mid(self, ref: Ref) -> str | None:
        """The metadata identity of ``ref.metadata`` (its first declarative base's)."""
        found, _ = self.roots(ref)
        return found[0].mid if found else None

    def body(self, ref: Ref) -> ClassBody:
        if ref.key not in self._bodies:
            self._bodies[ref.key] = self.bodies.read(ref.module, ref.module.classes[ref.name])
        return self._bodies[ref.key]

    def bases(self, ref: Ref) -> list[Klass]:
        if ref.key not in self._bases:
            found: list[Klass] = []
            for arg in ref.module.classes[ref.name].bases:
                if arg.keyword is not None or arg.star:
                    continue  # metaclass=..., **kw
                expr = arg.value.value if isinstance(arg.value, cst.Subscript) else arg.value
                target = self.index.resolve(ref.module, expr)
                if target is None:  # class X(make_base()): nothing to follow
                    target = External(ref.module.code(arg.value))
                elif isinstance(target, Ref) and target.attrs:  # db.Model on a local object
                    target = External(".".join([target.key, *target.attrs]))
                found.append(target)
            self._bases[ref.key] = found
        return self._bases[ref.key]

    def mro(self, ref: Ref) -> list[Klass]:
        """C3 linearisation over the resolvable classes; externals are leaves."""
        if ref.key in self._mro:
            return self._mro[ref.key]
        self._mro[ref.key] = [ref]  # a cyclic hierarchy stops here instead of recursing forever
        bases = self.bases(ref)
        seqs = [self.mro(b) if isinstance(b, Ref) and b.is_class else [b] for b in bases]
        self._mro[ref.key] = [ref, *_c3([list(s) for s in seqs] + [list(bases)])]
        return self._mro[ref.key]

    def roots(self, ref: Ref) -> tuple[tuple[BaseRoot, ...], tuple[str, ...]]:
        """(declarative bases this class sits on, external bases that could not be read)."""
        if ref.key in self._roots:
            return self._roots[ref.key]
        self._roots[ref.key] = ((), ())
        own = self.own_root(ref)
        if own is not None:
            self._roots[ref.key] = ((own,), ())
            return self._roots[ref.key]
        roots: list[BaseRoot] = []
        unread: list[str] = []
        for base in self.bases(ref):
            if isinstance(base, External):
                flask = self.flask_root(base.qualname)
                if flask is not None:
                    roots.append(flask)
                elif not is_columnless_external(base.qualname):
                    unread.append(base.qualname)
            elif base.is_class:
                found, missing = self.roots(base)
                roots.extend(found)
                unread.extend(missing)
            else:
                value_root = self.root_reader.value_root(base)
                if value_root is not None:
                    roots.append(value_root)
                else:
                    unread.append(base.key)
        self._roots[ref.key] = (tuple(dict.fromkeys(roots)), tuple(dict.fromkeys(unread)))
        return self._roots[ref.key]

    def flask_root(self, qualname: str) -> BaseRoot | None:
        """``db.Model`` of a Flask-SQLAlchemy ``db = SQLAlchemy(...)``: a declarative base."""
        owner, _, attr = qualname.rpartition(".")
        target = self.index.resolve_qualname(owner) if attr == "Model" and owner else None
        if not isinstance(target, Ref) or target.attrs or not self.index.is_flask_db(target.module, target.name):
            return None
        return self.root_reader.flask_root(target)

    def own_root(self, ref: Ref) -> BaseRoot | None:
        """The root when this class *is* a declarative base (or is decorator-mapped)."""
        node = ref.module.classes[ref.name]
        for decorator in node.decorators:
            root = self.root_reader.decorator_root(ref, decorator, self.body(ref))
            if root is not None:
                return root
        for base in self.bases(ref):
            if isinstance(base, External) and sa_role(base.qualname) is Role.BASE_CLASS:
                return self.root_reader.class_root(ref, self.body(ref))
        return None

    def is_base(self, ref: Ref) -> bool:
        own = self.own_root(ref)
        return own is not None and not own.decorator_mapped

    def is_declarative(self, ref: Ref) -> bool:
        found, unread = self.roots(ref)
        return bool(found or unread)

    def is_abstract(self, ref: Ref) -> bool:
        member = self.body(ref).directives.get("__abstract__")
        return member is not None and bool_literal(member.value) is True

    def is_mapped(self, ref: Ref) -> bool:
        if ref.key not in self._mapped:
            self._mapped[ref.key] = False  # guards cycles
            self._mapped[ref.key] = (
                self.is_declarative(ref)
                and not self.is_base(ref)
                and not self.is_abstract(ref)
                and (self.tablename(ref).kind != "none" or "__table__" in self.body(ref).directives)
            )
        return self._mapped[ref.key]

    def mapped_ancestor(self, ref: Ref) -> Ref | None:
        for klass in self.mro(ref)[1:]:
            if isinstance(klass, Ref) and klass.is_class and self.is_mapped(klass):
                return klass
        return None

    def tablename(self, ref: Ref) -> TableName:
        """Where the table name comes from, following SQLAlchemy's lookup."""
        for klass in self.mro(ref):
            if not (isinstance(klass, Ref) and klass.is_class):
                continue
            member = self.body(klass).directives.get("__tablename__")
            if member is None:
                continue
            if klass != ref and not member.declared and self.is_mapped(klass):
                return TableName("sti")  # a subclass of a mapped class without its own name
            if literal(member.value) is None and member.value is not None:  # __tablename__ = None
                return TableName("sti") if self.mapped_ancestor(ref) is not None else TableName("none")
            name = string_literal(member.value, self.index.lookup(member.module))
            if name is None and member.declared:
                name = computed_tablename(member.value, ref.name)
            if name is None:
                return TableName("computed", None, member.node)
            return TableName("name", name, member.node)
        if self.mapped_ancestor(ref) is not None:
            return TableName("sti")
        if self._flask_named(ref):
            node = ref.module.classes[ref.name].name
            return TableName("name", flask_tablename(ref.name), node)
        return TableName("none")

    def _flask_named(self, ref: Ref) -> bool:
        """Flask-SQLAlchemy names a ``db.Model`` class that declares a primary key."""
        if self.is_abstract(ref) or "__table__" in self.body(ref).directives:
            return False
        mro = self.mro(ref)
        if not any(isinstance(k, External) and self.flask_root(k.qualname) is not None for k in mro):
            return False
        return any(
            declares_primary_key(m.call)
            for k in mro
            if isinstance(k, Ref) and k.is_class
            for m in self.body(k).members.values()
        )

    def attributes(self, ref: Ref) -> dict[str, Attribute]:
        """Every attribute name visible on the class, with the class that defines it."""
        if ref.key in self._attrs:
            return self._attrs[ref.key]
        self._attrs[ref.key] = {}
        found: dict[str, Attribute] = {}
        for klass in self.mro(ref):
            if not (isinstance(klass, Ref) and klass.is_class):
                continue
            if klass != ref and self.is_mapped(klass):
                for name, attr in self.attributes(klass).items():
                    found.setdefault(name, Attribute(attr.member, attr.owner, True))
                continue
            for name, member in self.body(klass).members.items():
                found.setdefault(name, Attribute(member, klass, False))
        self._attrs[ref.key] = found
        return found

    def columns(self, ref: Ref) -> list[Attribute]:
        """The columns this class itself maps (inherited mapped ones excluded)."""
        return [a for a in self.attributes(ref).values() if a.member.is_column and not a.inherited_mapped]

    def unreadable_bases(self, ref: Ref) -> list[str]:
        """External classes in the MRO that may add columns we cannot see."""
        return [
            k.qualname
            for k in self.mro(ref)
            if isinstance(k, External)
            and not is_columnless_external(k.qualname)
            and self.flask_root(k.qualname) is None
        ]


def _c3(seqs: list[list[Klass]]) -> list[Klass]:
    result: list[Klass] = []
    seqs = [s for s in seqs if s]
    while seqs:
        for seq in seqs:
            head = seq[0]
            if not any(head in s[1:] for s in seqs):
                break
        else:  # inconsistent hierarchy: fall back to left-to-right order
            for seq in seqs:
                result.extend(k for k in seq if k not in result)
            return result
        result.append(head)
        seqs = [[k for k in s if k != head] for s in seqs]
        seqs = [s for s in seqs if s]
    return result
