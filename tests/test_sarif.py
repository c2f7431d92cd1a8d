"""``--format sarif``: valid against the official SARIF 2.1.0 schema, one rule per
registered code, stable fingerprints that ignore line numbers."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from drift_guard.engine import RunResult
from drift_guard.findings import Finding, Severity
from drift_guard.report.sarif import FINGERPRINT_KEY, artifact_uri, render_sarif
from drift_guard.rules import load_rules
from drift_guard.schema import Location

SCHEMA_FILE = Path(__file__).parent / "data" / "sarif" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")  # the official OASIS file, not a stand-in
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


RELATED = Location("services/api/app/models.py", 30, 5)


def make(
    code="DG103",
    severity=Severity.ERROR,
    message="users.email: in the model, not in PyDAL",
    line=12,
    table="users",
    column="email",
    related=(RELATED,),
    path="services/api/app/db/models.py",
    service="services/api",
):
    name = load_rules()[code].name if code in load_rules() else "some-rule"
    return Finding(
        code, name, severity, message, "add the field", Location(path, line, 3), table, column, tuple(related), service
    )


def sarif(findings) -> dict:
    return json.loads(render_sarif(RunResult(list(findings), files_scanned=3, services=["services/api"])))


def test_schema_file_is_the_official_one():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert "result" in schema["definitions"] and "reportingDescriptor" in schema["definitions"]


@pytest.mark.parametrize(
    "findings",
    [
        [],  # a clean run is a valid log too
        [make()],
        [make(), make(code="DG001", table=None, column=None, related=(), message="cannot parse")],
        [make(severity=Severity.INFO), make(severity=Severity.WARNING, column="name")],
        [make(path="services/my api/app/models.py", related=())],  # space in the path
        [make(path="/outside/the/repo/models.py")],  # absolute: a file: URI
        [make(related=(Location("a.py", 1, 1), Location("a.py", 1, 1)))],  # duplicate related location
    ],
)
def test_validates_against_the_official_schema(validator, findings):
    document = sarif(findings)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def test_a_broken_document_is_rejected(validator):
    """The validator is not a rubber stamp: a wrong level fails it."""
    document = sarif([make()])
    document["runs"][0]["results"][0]["level"] = "fatal"
    assert list(validator.iter_errors(document))


def test_one_rule_per_registered_code_with_docs():
    rules = sarif([])["runs"][0]["tool"]["driver"]["rules"]
    registry = load_rules()
    assert [r["id"] for r in rules] == sorted(registry)
    for descriptor in rules:
        info = registry[descriptor["id"]]
        assert descriptor["name"] == info.name
        assert descriptor["shortDescription"]["text"] == info.summary
        assert descriptor["fullDescription"]["text"]
        assert descriptor["help"]["text"] == info.doc
        assert info.doc in descriptor["help"]["markdown"]
        level = {"error": "error", "warning": "warning", "info": "note"}[info.severity.value]
        assert descriptor["defaultConfiguration"]["level"] == level


def test_full_description_is_the_what_it_does_section():
    descriptor = next(r for r in sarif([])["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "DG003")
    assert descriptor["fullDescription"]["text"].startswith("Reports each suppression directive")
    assert "##" not in descriptor["fullDescription"]["text"]


def test_result_shape():
    document = sarif([make()])
    run = document["runs"][0]
    result = run["results"][0]
    rules = run["tool"]["driver"]["rules"]
    assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == "DG103"
    assert result["level"] == "error"
    assert result["message"]["text"].startswith("users.email: in the model, not in PyDAL")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "services/api/app/db/models.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 12, "startColumn": 3}
    related = result["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"] == "services/api/app/models.py"
    assert related["region"]["startLine"] == 30
    assert result["properties"] == {"service": "services/api", "table": "users", "column": "email"}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("app/models.py", {"uri": "app/models.py", "uriBaseId": "%SRCROOT%"}),
        ("my app/models.py", {"uri": "my%20app/models.py", "uriBaseId": "%SRCROOT%"}),
        ("/abs/models.py", {"uri": "file:///abs/models.py"}),
    ],
)
def test_artifact_uri(path, expected):
    assert artifact_uri(path) == expected


def _fingerprint(item: Finding) -> str:
    return sarif([item])["runs"][0]["results"][0]["partialFingerprints"][FINGERPRINT_KEY]


@pytest.mark.parametrize(
    "moved",
    [
        lambda f: replace(f, location=replace(f.location, line=f.location.line + 40)),  # code moved down
        lambda f: replace(f, location=replace(f.location, column=9)),
        lambda f: replace(f, related=(Location("services/api/app/models.py", 99, 1),)),
        lambda f: replace(f, message="users.email: reworded message"),  # message not part of a column's identity
    ],
)
def test_fingerprint_survives_moves(moved):
    item = make()
    assert _fingerprint(moved(item)) == _fingerprint(item)


@pytest.mark.parametrize(
    "changed",
    [
        lambda f: replace(f, code="DG105"),
        lambda f: replace(f, table="orders"),
        lambda f: replace(f, column="name"),
        lambda f: replace(f, service="services/other"),
    ],
)
def test_fingerprint_changes_with_identity(changed):
    item = make()
    assert _fingerprint(changed(item)) != _fingerprint(item)


def test_table_less_findings_are_told_apart_by_message():
    first = make(code="DG001", table=None, column=None, message="app/a.py does not parse")
    second = replace(first, message="app/b.py does not parse")
    assert _fingerprint(first) != _fingerprint(second)
    assert _fingerprint(first) == _fingerprint(replace(first, location=replace(first.location, line=99)))
