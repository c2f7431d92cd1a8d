"""Apply planned edits to one PyDAL module with libcst, changing only what is needed.

Everything not edited keeps its bytes (comments, validators, ``requires=``,
quotes, trailing commas): libcst round-trips the module exactly, and edits only
replace the argument values they change or add arguments that copy their
neighbours' separators. Only what this module spells out literally is edited:
a ``Field(...)`` written directly as an argument of a ``define_table`` call in
this file. A Field reached through a shared list (``*timestamps``), a helper or
another module is refused with the reason, and stays a finding for a hand edit.

New code follows the file: ``db.Field`` or ``Field`` as the file calls it,
single or double quotes, ``"string"`` spelled out or omitted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Sequence

import libcst as cst

from drift_guard.fix.fields import WantedField
from drift_guard.fix.plan import AddField, AddTable, ChangeField, Edit, RemoveField, RemoveTable
from drift_guard.source import SourceFile

Point = tuple[int, int]  # (line, column), 1-based, as Location has them


@dataclass
class _Table:
    call: cst.Call
    receiver: str
    statement: cst.SimpleStatementLine | None  # when the call is the whole statement (or its value)
    bare: bool  # the statement is the call itself (not assigned): removable
    fields: dict[Point, int] = field(default_factory=dict)  # direct Field call -> argument index
    name_index: int = 0


@dataclass
class Style:
    field_func: str = "Field"
    quote: str = '"'
    explicit_string: bool = True


@dataclass
class Outcome:
    code: str
    applied: list[Edit]
    refused: list[tuple[Edit, str]]


def _last(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return node.value if isinstance(node, cst.Name) else None


class _Collect(cst.CSTVisitor):
    def __init__(self, src: SourceFile) -> None:
        self.src = src
        self.tables: dict[Point, _Table] = {}
        self.fields: dict[Point, cst.Call] = {}  # every Field call in the file
        self.statements: list[cst.SimpleStatementLine] = []
        self.style_funcs: Counter[str] = Counter()
        self.quotes: Counter[str] = Counter()
        self.strings: Counter[bool] = Counter()

    def point(self, node: cst.CSTNode) -> Point:
        loc = self.src.location(node)
        return (loc.line, loc.column)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.statements.append(node)

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine) -> None:
        self.statements.pop()

    def visit_Call(self, node: cst.Call) -> None:
        if _last(node.func) == "Field":
            self.fields[self.point(node)] = node
            self._style(node)
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "define_table"):
            return
        index = next((i for i, a in enumerate(node.args) if a.keyword is None and not a.star), None)
        if index is None:
            return
        statement, bare = self._statement(node)
        table = _Table(node, self.src.code(func.value), statement, bare, name_index=index)
        for i, arg in enumerate(node.args):
            if i > index and not arg.star and arg.keyword is None and isinstance(arg.value, cst.Call):
                if _last(arg.value.func) == "Field":
                    table.fields[self.point(arg.value)] = i
        self.tables[self.point(node.args[index].value)] = table

    def _statement(self, call: cst.Call) -> tuple[cst.SimpleStatementLine | None, bool]:
        if not self.statements:
            return None, False
        line = self.statements[-1]
        if len(line.body) != 1:
            return None, False
        small = line.body[0]
        if isinstance(small, cst.Expr) and small.value is call:
            return line, True
        if isinstance(small, cst.Assign) and small.value is call:
            return line, False
        return None, False

    def _style(self, call: cst.Call) -> None:
        self.style_funcs[self.src.code(call.func)] += 1
        positional = [a for a in call.args if a.keyword is None and not a.star]
        for arg in positional[:2]:
            if isinstance(arg.value, cst.SimpleString):
                self.quotes[arg.value.quote] += 1
        if positional and isinstance(positional[0].value, cst.SimpleString):
            kinds = [a for a in call.args if a.keyword is not None and a.keyword.value == "type"] + positional[1:2]
            typed = kinds[0].value if kinds else None
            if typed is None:
                self.strings[False] += 1
            elif isinstance(typed, cst.SimpleString) and typed.evaluated_value == "string":
                self.strings[True] += 1

    def style(self) -> Style:
        style = Style()
        if self.style_funcs:
            style.field_func = self.style_funcs.most_common(1)[0][0]
        if self.quotes:
            style.quote = "'" if self.quotes["'"] > self.quotes['"'] else '"'
        style.explicit_string = self.strings[True] >= self.strings[False]
        return style


def render_value(value: object, style: Style) -> str:
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace(style.quote, "\\" + style.quote)
        return f"{style.quote}{escaped}{style.quote}"
    return repr(value)


def render_field(wanted: WantedField, style: Style) -> str:
    parts = [render_value(wanted.name, style)]
    if wanted.type != "string" or style.explicit_string:
        parts.append(render_value(wanted.type, style))
    parts.extend(f"{key}={render_value(value, style)}" for key, value in wanted.options)
    return f"{style.field_func}({', '.join(parts)})"


def apply_edits(src: SourceFile, edits: list[Edit]) -> Outcome:
    """The module's new code with ``edits`` applied where they can be, and the
    edits refused with the reason."""
    collect = _Collect(src)
    src.module.visit(collect)
    style = collect.style()
    refused: list[tuple[Edit, str]] = []
    applied: list[Edit] = []
    field_changes: dict[int, ChangeField] = {}  # id(Field call) -> change
    adds: dict[int, list[tuple[int | None, AddField]]] = {}  # id(define_table call) -> (after index, add)
    removed_args: dict[int, set[int]] = {}
    after_statement: dict[int, list[AddTable]] = {}
    removed_statements: set[int] = set()
    for edit in edits:
        if isinstance(edit, ChangeField):
            call = collect.fields.get((edit.location.line, edit.location.column))
            if call is None or not _direct(collect, edit):
                refused.append((edit, _indirect_reason(collect, edit)))
                continue
            why = _unchangeable(call, edit)
            if why:
                refused.append((edit, why))
                continue
            field_changes[id(call)] = edit
        elif isinstance(edit, AddField):
            table = collect.tables.get((edit.location.line, edit.location.column))
            if table is None:
                refused.append((edit, "its define_table is not written out in this file"))
                continue
            # after its model neighbour; first when it has none; when the neighbour is not
            # written out here (a spliced list), after the last Field that is
            after: int | None = table.name_index
            if edit.after is not None:
                after = table.fields.get((edit.after.line, edit.after.column))
                if after is None:
                    after = max(table.fields.values(), default=table.name_index)
            adds.setdefault(id(table.call), []).append((after, edit))
        elif isinstance(edit, RemoveField):
            owner = _direct(collect, edit)
            if owner is None:
                refused.append((edit, _indirect_reason(collect, edit)))
                continue
            removed_args.setdefault(id(owner.call), set()).add(owner.fields[(edit.location.line, edit.location.column)])
        elif isinstance(edit, RemoveTable):
            table = collect.tables.get((edit.location.line, edit.location.column))
            if table is None or table.statement is None or not table.bare:
                refused.append((edit, "the define_table is not a statement of its own (its result is used)"))
                continue
            removed_statements.add(id(table.statement))
        elif isinstance(edit, AddTable):
            table = collect.tables.get((edit.after.line, edit.after.column))
            if table is None or table.statement is None:
                refused.append((edit, "its neighbour's define_table is not a statement of its own"))
                continue
            after_statement.setdefault(id(table.statement), []).append(edit)
        applied.append(edit)
    tables_by_call = {id(t.call): t for t in collect.tables.values()}
    transformer = _Rewrite(
        style, field_changes, adds, removed_args, after_statement, removed_statements, tables_by_call
    )
    module = src.module.visit(transformer)
    return Outcome(module.code, applied, refused)


def _direct(collect: _Collect, edit: ChangeField | RemoveField) -> _Table | None:
    """The define_table call the edited Field is written in, if it is the table
    being fixed (a Field copied in from another table, ``define_table("b", db.a)``,
    is that other table's to change)."""
    point = (edit.location.line, edit.location.column)
    found = next((t for t in collect.tables.values() if point in t.fields), None)
    if found is None or edit.owner is None:
        return found
    owner = collect.tables.get((edit.owner.line, edit.owner.column))
    return found if owner is found else None


def _indirect_reason(collect: _Collect, edit: ChangeField | RemoveField) -> str:
    point = (edit.location.line, edit.location.column)
    if any(point in t.fields for t in collect.tables.values()):
        return "the Field is written in another table's define_table (copied in by inheritance)"
    if point in collect.fields:
        return "the Field is in a shared list or helper, not written in its define_table"
    return "the Field is not written out in this file (a helper, a spliced list or another module)"


def _unchangeable(call: cst.Call, edit: ChangeField) -> str | None:
    if any(arg.star for arg in call.args):
        return "the Field takes *args/**options that cannot be edited statically"
    positional = [a for a in call.args if a.keyword is None]
    keywords = {a.keyword.value: a for a in call.args if a.keyword is not None}
    if not positional and "fieldname" not in keywords:
        return "the Field has no literal name"
    if edit.type is not None:
        node = positional[1].value if len(positional) > 1 else (keywords["type"].value if "type" in keywords else None)
        if node is not None and not isinstance(node, cst.SimpleString):
            return "the Field's type is not a literal string"
    for key, _ in edit.options:
        if key == "length" and len(positional) > 2:
            if not isinstance(positional[2].value, cst.Integer):
                return "the Field's length is not a literal"
        elif key in keywords and not _literal(keywords[key].value):
            return f"the Field's `{key}=` is not a literal"
    return None


def _literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.SimpleString, cst.Integer)):
        return True
    return isinstance(node, cst.Name) and node.value in ("True", "False", "None")


def _string_like(old: cst.SimpleString, text: str) -> cst.SimpleString:
    """A string literal in the quote style (and prefix) of the one it replaces."""
    quote = old.quote
    body = text.replace("\\", "\\\\").replace(quote[0], "\\" + quote[0]) if len(quote) == 1 else text
    return cst.SimpleString(f"{old.prefix}{quote}{body}{quote}")


class _Rewrite(cst.CSTTransformer):
    def __init__(
        self,
        style: Style,
        field_changes: dict[int, ChangeField],
        adds: dict[int, list[tuple[int | None, AddField]]],
        removed_args: dict[int, set[int]],
        after_statement: dict[int, list[AddTable]],
        removed_statements: set[int],
        tables: dict[int, _Table],
    ) -> None:
        self.style = style
        self.field_changes = field_changes
        self.adds = adds
        self.removed_args = removed_args
        self.after_statement = after_statement
        self.removed_statements = removed_statements
        self.tables = tables

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        change = self.field_changes.get(id(original_node))
        if change is not None:
            return self._change(updated_node, change)
        key = id(original_node)
        if key in self.adds or key in self.removed_args:
            return self._table_args(updated_node, self.adds.get(key, []), self.removed_args.get(key, set()))
        return updated_node

    def _change(self, call: cst.Call, change: ChangeField) -> cst.Call:
        args = list(call.args)
        positional = [i for i, a in enumerate(args) if a.keyword is None]
        keywords = {a.keyword.value: i for i, a in enumerate(args) if a.keyword is not None}
        if change.type is not None:
            if len(positional) > 1:
                i = positional[1]
                old = args[i].value
                assert isinstance(old, cst.SimpleString)
                args[i] = args[i].with_changes(value=_string_like(old, change.type))
            elif "type" in keywords:
                i = keywords["type"]
                old = args[i].value
                assert isinstance(old, cst.SimpleString)
                args[i] = args[i].with_changes(value=_string_like(old, change.type))
            elif positional:
                new = cst.Arg(cst.parse_expression(render_value(change.type, self.style)))
                args = _insert(args, positional[0], new)
                keywords = {k: (i + 1 if i > positional[0] else i) for k, i in keywords.items()}
                positional = [i for i, a in enumerate(args) if a.keyword is None]
            else:
                args = _insert(args, len(args) - 1, _keyword("type", change.type, self.style))
                keywords["type"] = len(args) - 1  # only `fieldname=` and other keywords: order is free
        for key, value in change.options:
            value_node = cst.parse_expression(render_value(value, self.style))
            if key == "length" and len(positional) > 2:
                args[positional[2]] = args[positional[2]].with_changes(value=value_node)
            elif key in keywords:
                args[keywords[key]] = args[keywords[key]].with_changes(value=value_node)
            else:
                at = _schema_end(args)
                args = _insert(args, at, _keyword(key, value, self.style))
                keywords = {k: (i + 1 if i > at else i) for k, i in keywords.items()}
                keywords[key] = at + 1
        return call.with_changes(args=args)

    def _table_args(self, call: cst.Call, adds: list[tuple[int | None, AddField]], removed: set[int]) -> cst.Call:
        args = list(call.args)
        # added after their neighbour, later positions first so earlier indexes hold
        for after, add in sorted(adds, key=lambda item: -(item[0] or 0)):
            node = cst.Arg(cst.parse_expression(render_field(add.field, self.style)))
            args = _insert(args, after if after is not None else 0, node)
            removed = {i + 1 if after is not None and i > after else i for i in removed}
        for index in sorted(removed, reverse=True):
            args = _remove(args, index)
        return call.with_changes(args=args)

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        return updated_node.with_changes(body=self._body(original_node.body, updated_node.body))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return updated_node.with_changes(body=self._body(original_node.body, updated_node.body))

    def _body(self, original: Sequence[Any], updated: Sequence[Any]) -> list[Any]:
        body = []
        for old, new in zip(original, updated):
            if id(old) in self.removed_statements:
                continue
            body.append(new)
            for add in self.after_statement.get(id(old), []):
                body.append(self._table_statement(old, add))
        return body

    def _table_statement(self, neighbour: cst.SimpleStatementLine, add: AddTable) -> cst.SimpleStatementLine:
        small = neighbour.body[0]
        call = small.value if isinstance(small, (cst.Expr, cst.Assign)) else None
        table = self.tables.get(id(call)) if call is not None else None
        receiver = table.receiver if table is not None else "db"
        lines = [f"{receiver}.define_table(", f"    {render_value(add.name, self.style)},"]
        lines += [f"    {render_field(f, self.style)}," for f in add.fields]
        if add.primarykey:
            keys = ", ".join(render_value(k, self.style) for k in add.primarykey)
            lines.append(f"    primarykey=[{keys}],")
        lines.append(")")
        statement = cst.parse_statement("\n".join(lines) + "\n")
        assert isinstance(statement, cst.SimpleStatementLine)
        return statement.with_changes(leading_lines=neighbour.leading_lines)


# Field options that shape the column, in PyDAL's signature before the validators
# (``requires=``, ``represent=`` ...): a new option goes after the last of these.
_SCHEMA_OPTIONS = frozenset(
    {"fieldname", "type", "length", "default", "required", "ondelete", "onupdate", "notnull", "unique"}
)


def _schema_end(args: list[cst.Arg]) -> int:
    """The index after which a new schema option goes."""
    last = 0
    for index, arg in enumerate(args):
        if arg.keyword is None or arg.keyword.value in _SCHEMA_OPTIONS:
            last = index
    return last


def _keyword(key: str, value: object, style: Style) -> cst.Arg:
    return cst.Arg(
        cst.parse_expression(render_value(value, style)),
        keyword=cst.Name(key),
        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
    )


def _insert(args: list[cst.Arg], after: int, new: cst.Arg) -> list[cst.Arg]:
    """``new`` after ``args[after]``, separated as that argument is from the next
    (or, after the last argument, as the previous pair is), the closing layout kept.
    A ``**options`` argument stays last."""
    while after >= 0 and after == len(args) - 1 and args[after].star == "**" and after > 0:
        after -= 1
    before = args[after]
    default = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if after < len(args) - 1:  # between two arguments: the same separator again
        sep = before.comma if isinstance(before.comma, cst.Comma) else default
        return [*args[:after], before, new.with_changes(comma=sep), *args[after + 1 :]]
    inner = args[after - 1].comma if after > 0 and isinstance(args[after - 1].comma, cst.Comma) else default
    if isinstance(before.comma, cst.Comma):  # a trailing comma: the new last argument keeps it
        return [*args[:after], before.with_changes(comma=inner), new.with_changes(comma=before.comma)]
    return [
        *args[:after],
        before.with_changes(comma=inner, whitespace_after_arg=cst.SimpleWhitespace("")),
        new.with_changes(whitespace_after_arg=before.whitespace_after_arg),
    ]


def _remove(args: list[cst.Arg], index: int) -> list[cst.Arg]:
    """Drop ``args[index]``; when it was the last, the previous argument takes its
    comma (or its absence) and the layout before the closing parenthesis."""
    if index < len(args) - 1 or index == 0:
        return [*args[:index], *args[index + 1 :]]
    gone = args[index]
    previous = args[index - 1].with_changes(comma=gone.comma, whitespace_after_arg=gone.whitespace_after_arg)
    return [*args[: index - 1], previous]
