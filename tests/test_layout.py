"""Results reused across an edit of a model file (drift_guard.layout): only when
provably the same statements, but for comments, blank lines and inert
statements and members whose names nothing else the reader read writes, and
then exactly what reading the file again gives.

The unit tests pin what counts as such an edit; the golden-case test edits the
model files of every golden case and fixture in each of those ways and asserts
that the cached run reports exactly what a run without the cache reports
(locations included), with the schema layers not read again; the last tests
write the names elsewhere and see the file read again.
"""

from __future__ import annotations

import ast
import json
import shlex
import shutil
from pathlib import Path

import pytest

from drift_guard import session as session_module
from drift_guard.cli import main
from drift_guard.layout import Layout, layout_of, match, relocate
from drift_guard.schema import Location
from drift_guard.source import SourceFile, parse_bytes

SOURCE = b'''"""Models."""

import sqlalchemy as sa
from app.db.base import Base  # the base


@decorate(
    1)
# between the decorators
@decorate
class User(Base):  # users
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    # the body's last comment

x = (
    1
)
'''


def layout(data: bytes = SOURCE) -> Layout:
    parsed = parse_bytes(data, "m.py")
    assert isinstance(parsed, SourceFile)
    found = layout_of(data, parsed)
    assert found is not None
    return found


def test_statements_are_line_ranges_from_the_first_decorator():
    assert [(first, last) for first, last, _ in layout().blocks] == [(1, 1), (3, 3), (4, 4), (7, 13), (16, 18)]


@pytest.mark.parametrize(
    ("new", "starts"),
    [
        (SOURCE, (1, 3, 4, 7, 16)),
        (SOURCE + b"# bench-edit: 1\n", (1, 3, 4, 7, 16)),
        (b"# top\n\n" + SOURCE, (3, 5, 6, 9, 18)),
        (SOURCE.replace(b"    # the body's last comment\n", b""), (1, 3, 4, 7, 15)),
        (SOURCE.replace(b"\n\n@decorate(", b"\n  # indented, comment only\n\n\n@decorate("), (1, 3, 4, 9, 18)),
        (SOURCE.replace(b"x = (", b"# \xc3\xa9t\xc3\xa9\nx = ("), (1, 3, 4, 7, 17)),
    ],
)
def test_comment_and_blank_line_edits_match(new, starts):
    found = match(layout(), new)
    assert found is not None
    assert (found.starts, found.names, found.changed) == (starts, (), ())


@pytest.mark.parametrize(
    "new",
    [
        SOURCE.replace(b"primary_key=True", b"primary_key=False"),  # a statement changed
        SOURCE.replace(b"class User(Base):  # users", b"class User(Base):  # the users"),  # its trailing comment
        SOURCE.replace(b"    # the body's last comment\n", b"    # the body's last comment\n    name = 1\n"),
        SOURCE + b"y = f()\n",  # a statement added (a call: not inert)
        SOURCE.replace(b"import sqlalchemy as sa\n", b""),  # one removed
        SOURCE.replace(b"__tablename__", b"\n__tablename__"),  # inside a statement
        b"# -*- coding: latin-1 -*-\n" + SOURCE,  # decides how every byte is read
        b"\xef\xbb\xbf" + SOURCE,
        SOURCE + b"# \x00\n",  # Python refuses the file
        SOURCE + b"# \xe9\n",  # not UTF-8
        SOURCE + b"\\\n",  # a continuation line
        SOURCE.replace(b"x = (", b"x = (y := "),  # the inert statement is not inert any more
        SOURCE + b"@decorate\ndef helper():\n    pass\n",  # a decorator runs
        SOURCE + b"def helper(a=f()):\n    pass\n",  # so does a default
        SOURCE + b"y: int = f()\n",
        SOURCE + b"import os\n",  # an import may be what registers a model module
        SOURCE + b"User.extra = 1\n",  # not a name
        SOURCE + b"__all__ = []\n",  # a dunder
        SOURCE + b"y = [c for c in User.cols]\n",  # a comprehension iterates
        SOURCE.replace(b"x = (\n    1\n)", b"x = 1; f()"),  # one line, one block: all inert or none
        SOURCE.replace(b"\n\n@decorate(", b"\ny = (\n\n@decorate("),  # does not parse alone
        SOURCE.replace(b"x = (", b"\xc3\xa9 = ("),  # not ASCII: the name search is byte-wise
        SOURCE.replace(b"import sqlalchemy as sa\n", b"y = 1\n"),  # an import became a constant
    ],
)
def test_anything_else_does_not(new):
    assert match(layout(), new) is None


HELPER = b"def helper(a: int = 1) -> int:\n    return make(a)\n\n\n"


@pytest.mark.parametrize(
    ("new", "starts", "names", "changed"),
    [
        (SOURCE.replace(b"    1\n", b"    2\n"), (1, 3, 4, 7, None), ("x",), ((16, 18),)),
        (SOURCE.replace(b"\n)\n", b"\n)"), (1, 3, 4, 7, None), ("x",), ((16, 18),)),  # lost its newline
        (SOURCE.replace(b"x = (\n    1\n)", b"x = 1"), (1, 3, 4, 7, None), ("x",), ((16, 16),)),
        (SOURCE + b"y = z = 2  # more\n", (1, 3, 4, 7, 16), ("y", "z"), ((19, 19),)),
        (SOURCE.replace(b"x = (\n    1\n)\n", b""), (1, 3, 4, 7, None), ("x",), ()),  # removed
        (SOURCE.replace(b'"""Models."""', b'"""The models."""'), (None, 3, 4, 7, 16), (), ((1, 1),)),
        (SOURCE.replace(b"@decorate(\n", HELPER + b"@decorate(\n"), (1, 3, 4, 11, 20), ("helper",), ((7, 8),)),
        (SOURCE.replace(b"x = (", b"x, *rest = (0, "), (1, 3, 4, 7, None), ("rest", "x"), ((16, 18),)),
        (  # two runs apart: before the docstring and before the class
            HELPER + SOURCE.replace(b"@decorate(\n", HELPER.replace(b"helper", b"other") + b"@decorate(\n"),
            (5, 7, 8, 15, 24),
            ("helper", "other"),
            ((1, 2), (11, 12)),
        ),
    ],
)
def test_inert_statements_that_changed_match_with_the_names_they_bind(new, starts, names, changed):
    """Constants, docstrings and undecorated helpers bind names and do nothing
    else a reader acts on: they may change, appear or go, and the match says
    which names the caller must find unused."""
    found = match(layout(), new)
    assert found is not None
    assert (found.starts, found.names, found.changed) == (starts, names, changed)
    assert found.layout.blocks == layout(new).blocks  # what a parse of the new content gives
    assert [b for b in found.layout.binds if b is not None] == [b for b in layout(new).binds if b is not None]


def test_a_location_on_a_statement_that_changed_is_not_placed():
    old = layout()
    found = match(old, SOURCE.replace(b"    1\n", b"    2\n"))
    assert found is not None
    assert relocate([Location("m.py", 17, 5)], "m.py", found.segments) is None
    assert relocate([Location("m.py", 12, 5)], "m.py", found.segments) == [Location("m.py", 12, 5)]
    docstring = match(old, SOURCE.replace(b'"""Models."""', b'"""The models."""'))
    assert docstring is not None
    assert relocate([Location("m.py", 1, 1)], "m.py", docstring.segments) is None  # "the file", or the docstring?


def test_no_layout_for_a_file_with_an_encoding_cookie():
    data = b"# coding: utf-8\n" + SOURCE
    parsed = parse_bytes(data, "m.py")
    assert isinstance(parsed, SourceFile)
    assert layout_of(data, parsed) is None


CLASSY = b'''import sqlalchemy as sa


class User(Base):
    """Users."""

    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)

    def label(self):
        return "user"

    def __repr__(self):
        return f"<User {self.id}>"

    name = sa.Column(sa.String(20))


x = 1
'''
EXTRA = b"    def extra(self):\n        return 1\n\n"


@pytest.mark.parametrize(
    ("new", "names", "changed", "moves"),
    [
        (CLASSY.replace(b'return "user"', b'label = "user"\n        return label'), ("label",), ((10, 12),), 1),
        (CLASSY.replace(b"<User ", b"<a user "), (), ((13, 14),), 0),  # Python calls it: no name to look up
        (CLASSY.replace(b"    def label", EXTRA + b"    def label"), ("extra",), ((10, 11),), 3),
        (CLASSY.replace(b'    def label(self):\n        return "user"\n\n', b""), ("label",), (), -3),
        (CLASSY.replace(b'"""Users."""', b'"""The users."""'), (), ((5, 5),), 0),
        (CLASSY.replace(b"    def label(self):", b"    # a comment\n    def label(self):"), (), (), 1),
    ],
)
def test_a_class_whose_only_changes_are_inert_members_matches(new, names, changed, moves):
    """Methods (undecorated, their signature running no call), the docstring:
    a reader acts on none of them, so the class's other members are matched
    one by one and move with them."""
    old = layout(CLASSY)
    found = match(old, new)
    assert found is not None
    assert (found.starts, found.names, found.changed) == ((1, 4, 19 + moves), names, changed)
    assert found.layout == layout(new)
    column = Location("m.py", 16, 5)  # `name = ...`, after the methods
    assert relocate([column], "m.py", found.segments) == [Location("m.py", 16 + moves, 5)]


def test_a_method_added_after_the_last_member_is_part_of_the_class():
    """The class's old lines are all there, in place: it did not end there."""
    new = CLASSY.replace(b"String(20))\n", b"String(20))\n\n" + EXTRA.rstrip(b"\n") + b"\n")
    found = match(layout(CLASSY), new)
    assert found is not None
    assert (found.starts, found.names, found.changed) == ((1, 4, 22), ("extra",), ((18, 19),))
    assert found.layout == layout(new)


@pytest.mark.parametrize(
    "new",
    [
        CLASSY.replace(b"sa.String(20)", b"sa.String(40)"),  # a column
        CLASSY.replace(b"    def label", b"    @property\n    def label"),  # a decorator runs
        CLASSY.replace(b"def label(self):", b"def label(self, a=make()):"),  # so does a default
        CLASSY.replace(b"    def label", b"    LIMIT = 5\n\n    def label"),  # class-level names are read
        CLASSY.replace(b"    def label", EXTRA.replace(b"extra", b"__tablename__") + b"    def label"),
        CLASSY.replace(b"class User(Base):", b"class User(Base, Mixin):"),  # the header
        CLASSY.replace(b'    """Users."""\n', b'    """Users."""; __abstract__ = True\n'),  # one line, one member
        CLASSY.replace(b'return "user"', b'return """user\nat column 0\n"""'),  # where does the class end?
    ],
)
def test_any_other_class_edit_does_not_match(new):
    assert match(layout(CLASSY), new) is None


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (CLASSY.replace(b"\n", b"\r\n"), CLASSY.replace(b'return "user"', b'return "a user"').replace(b"\n", b"\r\n")),
        (CLASSY.replace(b"    ", b"\t"), CLASSY.replace(b'return "user"', b'return "a user"').replace(b"    ", b"\t")),
        (
            b"@register\n" + CLASSY[CLASSY.index(b"class") :],
            b"@register\n" + CLASSY[CLASSY.index(b"class") :].replace(b'user"', b'us\xc3\xa9r"'),
        ),
        (CLASSY, CLASSY.replace(b"    def label(self):", b"    async def label(self):")),
        (CLASSY, CLASSY.replace(b"    def label(self):", b"    def label(self, key=lambda row: row.id):")),
    ],
    ids=["crlf", "tabs", "decorated-class", "async", "lambda-default"],
)
def test_class_edits_match_whatever_the_line_endings_and_indentation(old, new):
    found = match(layout(old), new)
    assert found is not None
    assert found.layout == layout(new)


def test_a_nested_class_is_a_member_the_reader_acts_on():
    old = CLASSY.replace(b"    def label", b"    class Meta:\n        x = 1\n\n    def label")
    assert match(layout(old), old.replace(b"x = 1", b"x = 2")) is None


def test_a_location_in_a_method_that_changed_is_not_placed():
    found = match(layout(CLASSY), CLASSY.replace(b'return "user"', b'return "a user"'))
    assert found is not None
    assert relocate([Location("m.py", 11, 9)], "m.py", found.segments) is None
    assert relocate([Location("m.py", 14, 9)], "m.py", found.segments) == [Location("m.py", 14, 9)]


def test_relocate_moves_locations_with_their_statement():
    old = layout()
    found = match(old, b"# top\n\n" + SOURCE)
    assert found is not None
    value = {"a": (Location("m.py", 12, 5), Location("other.py", 12, 5)), "b": [Location("m.py", 17, 1)]}
    assert relocate(value, "m.py", found.segments) == {
        "a": (Location("m.py", 14, 5), Location("other.py", 12, 5)),
        "b": [Location("m.py", 19, 1)],
    }
    assert found.starts == tuple(first + 2 for first, _, _ in old.blocks)
    assert found.layout == layout(b"# top\n\n" + SOURCE)


def test_relocate_refuses_what_it_cannot_place():
    old = layout()
    found = match(old, b"# top\n\n" + SOURCE)
    assert found is not None
    assert relocate([Location("m.py", 14, 1)], "m.py", found.segments) is None  # a comment line: not a statement's
    assert relocate([Location("m.py", 1, 1)], "m.py", found.segments) is None  # "the file", or the docstring?
    same = match(old, SOURCE + b"# end\n")
    assert same is not None
    value = [Location("m.py", 1, 1)]
    assert relocate(value, "m.py", same.segments) is value  # nothing moved: the same object


def test_relocate_keeps_the_file_location_when_no_statement_starts_on_line_one():
    data = b"# header\n" + SOURCE
    old = layout(data)
    found = match(old, b"# header\n# more\n" + SOURCE)
    assert found is not None
    assert relocate([Location("m.py", 1, 1), Location("m.py", 2, 1)], "m.py", found.segments) == [
        Location("m.py", 1, 1),
        Location("m.py", 3, 1),
    ]


# --- end to end: every golden case, its model files edited in comments only ------------------

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted(p for p in (ROOT / "tests" / "rules").glob("DG*/*") if p.is_dir() and not (p / "project.txt").exists())


def _model_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.py") if "models" in p.name and "pydal" not in p.parts]


def _editable(path: Path) -> bool:
    """Whether :func:`_comment_edit` can edit the file (it parses, ends with a newline)."""
    data = path.read_bytes()
    try:
        ast.parse(data)
    except (SyntaxError, ValueError):
        return False
    return data.endswith((b"\n", b"\r")) or not data


# the cases with a model file a comment edit can be made in (the others have nothing to reuse)
PROJECTS = [
    p
    for p in (*CASES, ROOT / "fixtures" / "sample-clean", ROOT / "fixtures" / "sample-drifted")
    if any(_editable(m) for m in _model_files(p))
]


def _comment_edit(path: Path) -> bool:
    """Put comment and blank lines before every top-level statement past line 2
    (a coding cookie stays where it is) and at the end; False when the file
    cannot be parsed (nothing to reuse there)."""
    data = path.read_bytes()
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return False
    starts = {min([s.lineno, *(d.lineno for d in getattr(s, "decorator_list", []))]) for s in tree.body}
    lines = data.splitlines(keepends=True)
    out: list[bytes] = []
    for number, line in enumerate(lines, 1):
        if number in starts and number > 2:
            out.append(b"# a comment edit\n\n")
        out.append(line)
    if out and not out[-1].endswith((b"\n", b"\r")):
        return False
    path.write_bytes(b"".join(out) + b"\n# the end\n")
    return True


def _args(project: Path) -> list[str]:
    extra = project / "args.txt"
    if extra.exists():
        return shlex.split(extra.read_text())
    return ["--no-migrations"] if project.parent.name.startswith("DG") else []


def _findings(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    capsys.readouterr()
    main(["check", "--format", "json", "--exit-zero", *args])
    return json.loads(capsys.readouterr().out)["findings"]


def test_comments_that_take_a_model_file_over_the_size_limit_are_a_dg001(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "project"
    shutil.copytree(ROOT / "fixtures" / "sample-clean", root)
    models = root / "services" / "flask-backend" / "app" / "db" / "models.py"
    limit = max(path.stat().st_size for path in root.rglob("*.py")) + 100
    (root / "pyproject.toml").write_text(f'[tool.drift_guard]\nscratch = "sqlite"\nmax-file-size = {limit}\n')
    monkeypatch.chdir(root)
    monkeypatch.delenv("DRIFT_GUARD_NO_CACHE")
    cached = ["--cache-dir", str(tmp_path / "cache")]
    assert _findings(capsys, *cached) == []
    models.write_bytes(models.read_bytes() + b"# a long comment " + b"x" * (limit - models.stat().st_size) + b"\n")
    ran = computations(monkeypatch)
    found = _findings(capsys, *cached)
    assert "models" in ran and "discovery" in ran  # not the old layers: the file is not read at all now
    assert "DG001" in {f["code"] for f in found}
    assert found == _findings(capsys, "--no-cache")


def computations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Namespaces whose computation ran (a miss)."""
    ran: list[str] = []
    original = session_module.Session.cached

    def spy(self, namespace, key_parts, compute, keep=None, **options):  # type: ignore[no-untyped-def]
        def counted():  # type: ignore[no-untyped-def]
            ran.append(namespace)
            return compute()

        return original(self, namespace, key_parts, counted, keep, **options)

    monkeypatch.setattr(session_module.Session, "cached", spy)
    return ran


# --- end to end: inert statements edited ------------------------------------------------------


def _inert_edit(path: Path) -> bool:
    """Add a helper ``def`` before the first statement past the docstring and
    the imports, and a constant at the end (names nothing else in a project
    writes); False when the file cannot be parsed."""
    data = path.read_bytes()
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return False
    if not data.endswith((b"\n", b"\r")):
        return False
    body = [s for s in tree.body if not isinstance(s, (ast.Import, ast.ImportFrom, ast.Expr))]
    lines = data.splitlines(keepends=True)
    first = (
        min([body[0].lineno, *(d.lineno for d in getattr(body[0], "decorator_list", []))]) if body else len(lines) + 1
    )
    helper = b"def _probe_helper(value: int = 1) -> int:\n    return len(str(value))\n\n\n"
    path.write_bytes(b"".join([*lines[: first - 1], helper, *lines[first - 1 :]]) + b"_PROBE_LIMIT = 3\n")
    return True


def _add_method(path: Path) -> bytes | None:
    """Give the first class with an indented body a method ``_probe_method``
    (at the body's indentation, after its last member): that indentation, or
    None when there is no such class."""
    data = path.read_bytes()
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return None
    classes = [c for c in tree.body if isinstance(c, ast.ClassDef) and c.body[0].lineno > c.lineno]
    if not classes or not data.endswith((b"\n", b"\r")):
        return None
    target = classes[0]
    indent = b" " * target.body[0].col_offset
    method = b"\n" + indent + b"def _probe_method(self):\n" + indent + b"    return 1\n"
    lines = data.splitlines(keepends=True)
    end = target.end_lineno or target.lineno
    path.write_bytes(b"".join([*lines[:end], method, *lines[end:]]))
    return indent


def _edit_method(path: Path, indent: bytes | None) -> bool:
    """The probe method's body changed, and a ``__repr__`` added before it;
    False when :func:`_add_method` found no class to put it in."""
    if indent is None:
        return False
    head = indent + b"def _probe_method(self):\n"
    data = path.read_bytes().replace(head + indent + b"    return 1\n", head + indent + b"    return 2\n")
    path.write_bytes(data.replace(head, indent + b"def __repr__(self):\n" + indent + b"    return ''\n\n" + head))
    return True


def _has_class_body(project: Path) -> bool:
    for path in _model_files(project):
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            continue
        if any(isinstance(c, ast.ClassDef) and c.body[0].lineno > c.lineno for c in tree.body):
            return True
    return False


# each edit: (made before the first run, returns a state or None; made after it, told that state)
EDITS = {
    "comment": (lambda path: None, lambda path, _: _comment_edit(path)),
    "inert": (lambda path: None, lambda path, _: _inert_edit(path)),
    "method": (_add_method, lambda path, indent: _edit_method(path, indent)),
}
EDIT_CASES = [(project, edit) for edit in EDITS for project in PROJECTS if edit != "method" or _has_class_body(project)]


@pytest.mark.parametrize(
    ("project", "edit"), EDIT_CASES, ids=[f"{edit}-{p.parent.name}/{p.name}" for p, edit in EDIT_CASES]
)
def test_an_edit_of_the_models_the_cache_carries_over_reports_what_reading_them_again_reports(
    project: Path, edit: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every golden case and fixture, cached, then its model files edited in
    comments only, in inert statements (a helper before the first statement
    past the imports, a constant at the end), or in inert members (a method's
    body changed and a ``__repr__`` added): the cached run reports what a run
    without the cache reports, locations included; on the sample's models
    file the layers are not read again."""
    prepare, change = EDITS[edit]
    root = tmp_path / "project"
    shutil.copytree(project, root)
    if project.parent.name == "fixtures":
        (root / "pyproject.toml").write_text('[tool.drift_guard]\nscratch = "sqlite"\n')
    monkeypatch.chdir(root)
    monkeypatch.delenv("DRIFT_GUARD_NO_CACHE")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    prepared = {path: prepare(path) for path in _model_files(root)}
    cached = ["--cache-dir", str(tmp_path / "cache"), *_args(project)]
    _findings(capsys, *cached)
    assert any([change(path, state) for path, state in prepared.items()])
    ran = computations(monkeypatch)
    found = _findings(capsys, *cached)
    computed = list(ran)
    assert found == _findings(capsys, "--no-cache", *_args(project))
    if project.parent.name == "fixtures":
        assert "models" not in computed and "discovery" not in computed


SAMPLE_MODELS = Path("services") / "flask-backend" / "app" / "db" / "models.py"
SAMPLE_BASE = SAMPLE_MODELS.parent / "base.py"


def _sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    root = tmp_path / "project"
    shutil.copytree(ROOT / "fixtures" / "sample-clean", root)
    (root / "pyproject.toml").write_text('[tool.drift_guard]\nscratch = "sqlite"\n')
    monkeypatch.chdir(root)
    monkeypatch.delenv("DRIFT_GUARD_NO_CACHE")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return root, ["--cache-dir", str(tmp_path / "cache")]


def _edit(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))


@pytest.mark.parametrize(
    ("setup", "edit"),
    [
        # the constant is the length of a column: its value is the schema
        (
            [
                (SAMPLE_MODELS, b"\n\nclass User(", b"\n\nNAME_LENGTH = 100\n\n\nclass User("),
                (SAMPLE_MODELS, b"String(100), unique=True", b"String(NAME_LENGTH), unique=True"),
            ],
            (SAMPLE_MODELS, b"NAME_LENGTH = 100", b"NAME_LENGTH = 120"),
        ),
        # written in another file the extraction read (the base the models import it from)
        (
            [
                (SAMPLE_BASE, b"Base = declarative_base()\n", b"Base = declarative_base()\nNAME_LENGTH = 100\n"),
                (
                    SAMPLE_MODELS,
                    b"from app.db.base import Base, TimestampMixin",
                    b"from app.db.base import NAME_LENGTH, Base, TimestampMixin",
                ),
                (SAMPLE_MODELS, b"String(100), unique=True", b"String(NAME_LENGTH), unique=True"),
            ],
            (SAMPLE_BASE, b"NAME_LENGTH = 100", b"NAME_LENGTH = 120"),
        ),
        # a helper the model calls for its default
        (
            [
                (SAMPLE_MODELS, b"\n\nclass User(", b"\n\ndef role_default():\n    return 'viewer'\n\n\nclass User("),
                (SAMPLE_MODELS, b'default="viewer"', b"default=role_default"),
            ],
            (SAMPLE_MODELS, b"    return 'viewer'", b"    return 'admin'"),
        ),
        # a new constant whose name a string of the models already spells
        (
            [],
            (SAMPLE_MODELS, b"\n\nclass User(", b'\n\nTeamMember = "shadowed"\n\n\nclass User('),
        ),
    ],
    ids=["column-length", "other-file", "default-helper", "named-in-a-string"],
)
def test_an_inert_statement_whose_name_is_written_elsewhere_is_read_again(
    setup: list[tuple[Path, bytes, bytes]],
    edit: tuple[Path, bytes, bytes],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, cached = _sample(tmp_path, monkeypatch)
    for path, old, new in setup:
        _edit(root / path, old, new)
    before = _findings(capsys, *cached)
    _edit(root / edit[0], edit[1], edit[2])
    ran = computations(monkeypatch)
    found = _findings(capsys, *cached)
    assert "models" in ran
    assert found == _findings(capsys, "--no-cache")
    if edit[2].startswith(b"NAME_LENGTH"):  # the edit is drift now: proof the schema was read again
        assert found != before and any("120" in f["message"] for f in found)
