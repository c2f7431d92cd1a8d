"""Findings carry canonical absolute paths; each report makes them relative to
its own base: text and JSON to the run directory, GitHub and SARIF to the
repository root, baselines key services relative to the repository root. So a
run from the repository root, from a service folder and from outside the
repository finds the same things, each shown where its reader expects it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from drift_guard.cli import main
from drift_guard.paths import canonical_path, display_path, find_repository_root, relative_path

DRIFTED = Path(__file__).resolve().parents[1] / "fixtures" / "sample-drifted"
SERVICE = "services/flask-backend"
MODELS = f"{SERVICE}/app/db/models.py"  # the model file of the drifted sample
PYDAL = f"{SERVICE}/app/models.py"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(DRIFTED, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / ".git").mkdir()
    (tmp_path / "elsewhere").mkdir()
    return root


def _check(monkeypatch, capsys, cwd: Path, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(cwd)
    status = main(["check", "--no-migrations", "--no-cache", *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err, captured.err
    return status, captured.out


def _resolved(document: dict, cwd: Path) -> list[tuple]:
    """The findings with every path made absolute from the run directory."""

    def where(loc: dict) -> tuple:
        return (os.path.normpath(cwd / loc["path"]), loc["line"], loc["column"])

    return sorted(
        (f["code"], f["message"], f["table"], f["column"], where(f["location"]), tuple(where(r) for r in f["related"]))
        for f in document["findings"]
    )


def test_the_same_findings_from_the_root_a_service_folder_and_outside(repo, monkeypatch, capsys) -> None:
    runs = {
        "root": (repo, ()),
        "service folder": (repo / SERVICE, (str(repo),)),  # the whole repository, asked from inside a service
        "outside": (repo.parent / "elsewhere", (str(repo),)),
    }
    found = {}
    documents = {}
    for name, (cwd, args) in runs.items():
        status, out = _check(monkeypatch, capsys, cwd, "--format", "json", *args)
        assert status == 1, name
        documents[name] = json.loads(out)
        found[name] = _resolved(documents[name], cwd)
    assert len(found["root"]) == 14  # fixtures/sample-drifted/expected.json
    assert found["service folder"] == found["root"]
    assert found["outside"] == found["root"]
    # each shown relative to its own run directory: inside it relative, else absolute
    shown = {name: {f["location"]["path"] for f in doc["findings"]} for name, doc in documents.items()}
    assert shown["root"] == {MODELS, PYDAL}
    assert shown["service folder"] == {"app/db/models.py", "app/models.py"}
    assert shown["outside"] == {(repo / MODELS).as_posix(), (repo / PYDAL).as_posix()}


def test_text_is_relative_to_the_run_directory_and_ordered_as_shown(repo, monkeypatch, capsys) -> None:
    _, at_root = _check(monkeypatch, capsys, repo)
    _, in_service = _check(monkeypatch, capsys, repo / SERVICE, str(repo))
    assert at_root.replace(f"{SERVICE}/", "") == in_service
    assert in_service.startswith("app/db/models.py:")


@pytest.mark.parametrize("cwd", [".", SERVICE])
@pytest.mark.parametrize("fmt", ["github", "sarif"])
def test_github_and_sarif_are_relative_to_the_repository_root(repo, monkeypatch, capsys, cwd, fmt) -> None:
    _, out = _check(monkeypatch, capsys, (repo / cwd).resolve(), "--format", fmt, str(repo))
    if fmt == "github":
        files = {line.split("file=", 1)[1].split(",", 1)[0] for line in out.splitlines() if line.startswith("::")}
        assert files == {MODELS, PYDAL}
        assert f"see also: {MODELS}:" in out or f"see also: {PYDAL}:" in out
    else:
        results = json.loads(out)["runs"][0]["results"]
        uris = {
            loc["physicalLocation"]["artifactLocation"]["uri"]
            for result in results
            for loc in result["locations"] + result.get("relatedLocations", [])
        }
        assert uris == {MODELS, PYDAL}


def test_a_symlinked_file_is_named_by_its_target_in_the_repository(repo, monkeypatch, capsys) -> None:
    """The PyDAL module is a link to a file elsewhere in the repository: it is
    named by its target from every run directory (decided once, when made
    canonical), and findings and suppressions agree on that name."""
    shared = repo / "shared" / "tables.py"
    shared.parent.mkdir()
    shutil.move(repo / PYDAL, shared)
    (repo / PYDAL).symlink_to(os.path.relpath(shared, (repo / PYDAL).parent))
    results = {}
    for cwd in (repo, repo / SERVICE, repo.parent / "elsewhere"):
        status, out = _check(monkeypatch, capsys, cwd, "--format", "json", str(repo))
        assert status == 1
        results[cwd] = _resolved(json.loads(out), cwd)
    first, *others = results.values()
    assert all(other == first for other in others)
    paths = {loc[0] for finding in first for loc in (finding[4], *finding[5])}
    assert paths == {str(repo / MODELS), str(shared)}
    # a directive in the target silences the finding reported there
    line = next(f[4][1] for f in first if f[0] == "DG104" and f[4][0] == str(shared))
    text = shared.read_text().splitlines()
    text[line - 1] += "  # drift-guard: ignore[DG104]"
    shared.write_text("\n".join(text) + "\n")
    _, out = _check(monkeypatch, capsys, repo / SERVICE, "--format", "json", str(repo))
    assert len(json.loads(out)["findings"]) == len(first) - 1


def test_a_symlink_out_of_the_tree_keeps_its_own_name(tmp_path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "outside.py").write_text("x = 1\n")
    (tmp_path / "repo" / "inside.py").write_text("x = 1\n")
    (tmp_path / "repo" / "out.py").symlink_to(tmp_path / "outside.py")
    (tmp_path / "repo" / "in.py").symlink_to("inside.py")
    (tmp_path / "repo" / "dangling.py").symlink_to("missing.py")
    tree = find_repository_root(tmp_path / "repo" / "sub" / "deeper")  # need not exist
    assert tree == (tmp_path / "repo").resolve()
    assert canonical_path(tmp_path / "repo" / "out.py", tree) == (tmp_path / "repo" / "out.py").as_posix()
    assert canonical_path(tmp_path / "repo" / "in.py", tree) == (tmp_path / "repo" / "inside.py").as_posix()
    assert canonical_path(tmp_path / "repo" / "dangling.py", tree) == (tmp_path / "repo" / "dangling.py").as_posix()
    assert canonical_path(tmp_path / "repo" / "sub" / ".." / "inside.py", tree) == canonical_path(
        tmp_path / "repo" / "inside.py", tree
    )
    # rendering: relative inside the base, absolute outside it, names as they are
    assert relative_path((tmp_path / "repo" / "a" / "b.py").as_posix(), tmp_path / "repo") == "a/b.py"
    assert (
        relative_path((tmp_path / "outside.py").as_posix(), tmp_path / "repo") == (tmp_path / "outside.py").as_posix()
    )
    assert relative_path("services/api", tmp_path) == "services/api"
    assert display_path(tmp_path / "repo" / "in.py", tmp_path / "repo") == "inside.py"
    assert find_repository_root(tmp_path) is None


def test_a_baseline_written_in_one_directory_matches_in_another(repo, monkeypatch, capsys) -> None:
    baseline = repo / "baseline.json"
    monkeypatch.chdir(repo)
    assert main(["baseline", "--no-migrations", "--no-cache", str(baseline)]) == 0
    capsys.readouterr()
    for cwd, args in ((repo / SERVICE, ()), (repo / SERVICE, (str(repo),)), (repo, ())):
        status, out = _check(monkeypatch, capsys, cwd, "--baseline", str(baseline), *args)
        assert status == 0, (cwd, out)
    # and the other way round: written in the service folder, checked at the root
    monkeypatch.chdir(repo / SERVICE)
    assert main(["baseline", "--no-migrations", "--no-cache", str(baseline)]) == 0
    capsys.readouterr()
    status, out = _check(monkeypatch, capsys, repo, "--baseline", str(baseline))
    assert status == 0, out


# What drift-guard 0.x wrote for fixtures/sample-drifted at the repository root
# before locations carried canonical paths (the service key relative to the
# repository root, a location for the reader only): it must keep matching.
OLD_BASELINE_ENTRIES = [
    ("DG101", "api_keys", None),
    ("DG102", "audit_log", None),
    ("DG103", "users", "last_login"),
    ("DG104", "settings", "id"),
    ("DG104", "teams", "slug"),
    ("DG105", "invoices", "meta"),
    ("DG106", "users", "full_name"),
    ("DG107", "settings", "key"),
    ("DG107", "teams", "name"),
    ("DG108", "users", "email"),
    ("DG109", "invoices", "team_id"),
    ("DG110", "settings", "key"),
    ("DG111", "team_members", "user_id"),
    ("DG113", "audit_log", "retries"),
]


def _old_baseline(path: Path, service: str) -> None:
    lines = [
        json.dumps(
            {
                "code": code,
                "column": column,
                "count": 1,
                "location": f"{MODELS}:1:1",
                "message": "recorded by an earlier version",
                "service": service,
                "table": table,
            },
            sort_keys=True,
        )
        for code, table, column in OLD_BASELINE_ENTRIES
    ]
    body = ",\n    ".join(lines)
    path.write_text(f'{{\n  "version": 1,\n  "tool": "drift-guard 0.1.0",\n  "entries": [\n    {body}\n  ]\n}}\n')


@pytest.mark.parametrize("cwd", [".", SERVICE])
def test_an_old_baseline_still_matches(repo, monkeypatch, capsys, cwd) -> None:
    baseline = repo / "old-baseline.json"
    _old_baseline(baseline, SERVICE)
    status, out = _check(monkeypatch, capsys, repo / cwd, "--baseline", str(baseline), str(repo / SERVICE))
    assert status == 0, out
    assert "No drift found" in out


def test_an_old_baseline_written_outside_a_repository_still_matches(repo, monkeypatch, capsys) -> None:
    """Outside a repository, baselines keyed the service by its name relative
    to the run directory (``.`` in the service folder); they are keyed relative
    to the configuration root now, and the old entries still match."""
    shutil.rmtree(repo / ".git")
    (repo / "pyproject.toml").write_text("[tool.drift_guard]\n")
    baseline = repo / SERVICE / "old-baseline.json"
    _old_baseline(baseline, ".")
    status, out = _check(monkeypatch, capsys, repo / SERVICE, "--baseline", str(baseline))
    assert status == 0, out
