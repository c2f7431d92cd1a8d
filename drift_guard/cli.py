"""Command line: argparse and wiring only.

``main(argv) -> int`` so tests call it directly. Exit codes: 0 clean, 1 findings
at or above ``--fail-on``, 2 usage or configuration error (141, the shell's
SIGPIPE status, when the reader of standard output left early).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn, Sequence

from drift_guard.errors import DriftGuardError

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
DEFAULT_HTML_REPORT = "drift-guard-report.html"


def _codes(text: str) -> list[str]:
    return [part.strip().upper() for part in text.split(",") if part.strip()]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 already; keep its wording
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"drift-guard: error: {message}\n")


class _Version(argparse.Action):
    """``--version``, with the version looked up only when asked for."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: object, values: object, option: object = None
    ) -> None:
        import drift_guard

        print(f"drift-guard {drift_guard.__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="drift-guard", description="Catch drift between SQLAlchemy/Alembic models and PyDAL tables.")
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="check services for drift (the main job)")
    check.add_argument("paths", nargs="*", type=Path, help="repository root or service folders (default: .)")
    check.add_argument(
        "--format",
        choices=("text", "json", "github", "sarif", "html"),
        help="output format (default: text; github under GitHub Actions)",
    )
    check.add_argument("--output", "-o", type=Path, help="write the report to FILE instead of standard output")
    _check_arguments(check)

    report = sub.add_parser(
        "report", help=f"write the HTML report (check --format html --output {DEFAULT_HTML_REPORT}, same options)"
    )
    report.add_argument("paths", nargs="*", type=Path, help="repository root or service folders (default: .)")
    report.add_argument(
        "--output", "-o", type=Path, default=Path(DEFAULT_HTML_REPORT), help=f"where (default: {DEFAULT_HTML_REPORT})"
    )
    _check_arguments(report)

    _fix_parser(sub)
    revision = sub.add_parser("revision", help="write the Alembic revision that brings the migrations to the models")
    revision.add_argument("paths", nargs="*", type=Path, help="repository root or service folders (default: .)")
    revision.add_argument("-m", "--message", required=True, help="the revision message")
    revision.add_argument("--config", type=Path, help="pyproject.toml to read instead of searching upwards")
    revision.add_argument(
        "--database-url", help="replay on a throwaway database of this server (types as it keeps them)"
    )

    rules = sub.add_parser("rules", help="list every rule")
    rules.add_argument("--markdown", action="store_true", help="as a Markdown table (the README's rule list)")
    rule = sub.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("code", help="rule code, e.g. DG103, or its name")

    config = sub.add_parser("config", help="print the effective configuration and the discovered services")
    config.add_argument("paths", nargs="*", type=Path)
    config.add_argument("--config", type=Path)

    baseline = sub.add_parser("baseline", help="write the current findings to a baseline file")
    baseline.add_argument("file", type=Path)
    baseline.add_argument("paths", nargs="*", type=Path)
    baseline.add_argument("--config", type=Path)
    baseline.add_argument("--no-migrations", action="store_true")
    baseline.add_argument("--database-url")
    _cache_flags(baseline)

    clean = sub.add_parser("clean", help="remove the cache folder (.drift_guard_cache)")
    clean.add_argument("--config", type=Path)
    clean.add_argument("--cache-dir", type=Path, help="the cache folder to remove (default: as `check` would use)")
    return parser


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    """The options ``check`` and ``report`` share (``report`` is ``check --format html``)."""
    parser.add_argument(
        "--select", type=_codes, default=[], help="only these code prefixes, comma-separated (e.g. DG1,DG201)"
    )
    parser.add_argument("--ignore", type=_codes, default=[], help="skip these code prefixes, comma-separated")
    parser.add_argument(
        "--fail-on", choices=("error", "warning", "info"), help="lowest severity that fails the run (default: error)"
    )
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings are reported")
    parser.add_argument(
        "--quiet", "-q", action="store_true", help="print only the findings (no summary); nothing when clean"
    )
    parser.add_argument("--statistics", action="store_true", help="print a count per rule")
    parser.add_argument("--config", type=Path, help="pyproject.toml to read instead of searching upwards")
    parser.add_argument("--baseline", type=Path, help="ignore findings recorded in this baseline file")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL/MySQL server for a dialect-faithful migration check (a throwaway database is created and dropped)",
    )
    parser.add_argument("--no-migrations", action="store_true", help="skip the migration replay (DG2xx)")
    parser.add_argument(
        "--alembic-env",
        action="store_true",
        help="run the project's own env.py for the migration check (imports the application)",
    )
    parser.add_argument(
        "--migration-timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="give up on a replay that takes longer (a DG205; default: 300)",
    )
    _cache_flags(parser)


def _fix_parser(sub: argparse._SubParsersAction) -> None:
    fix = sub.add_parser("fix", help="rewrite the PyDAL layer to match the models")
    fix.add_argument("paths", nargs="*", type=Path, help="repository root or service folders (default: .)")
    fix.add_argument("--diff", action="store_true", help="print a unified diff and write nothing (exit 1 if any)")
    fix.add_argument("--select", type=_codes, default=[], help="only fix these code prefixes, comma-separated")
    fix.add_argument("--ignore", type=_codes, default=[], help="do not fix these code prefixes, comma-separated")
    fix.add_argument("--remove", action="store_true", help="also remove PyDAL-only fields and tables (DG102, DG104)")
    fix.add_argument("--exit-non-zero-on-fix", action="store_true", help="exit 1 when a file was changed")
    fix.add_argument("--config", type=Path, help="pyproject.toml to read instead of searching upwards")
    _cache_flags(fix)


def _cache_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the cache (also DRIFT_GUARD_NO_CACHE=1)"
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        help="cache folder (default: `cache-dir` setting, else .drift_guard_cache next to the configuration; also DRIFT_GUARD_CACHE_DIR)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    try:
        status = _main(argv)
        sys.stdout.flush()  # a closed pipe is found here, not at interpreter exit
    except BrokenPipeError:
        return _stdout_closed()
    return status


def _stdout_closed() -> int:
    """``drift-guard rules | head -1``: the reader left, which is not an error of
    ours. Standard output is pointed at /dev/null so that the interpreter's final
    flush does not complain again; the status is the shell's for SIGPIPE."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real file descriptor (captured in tests)
        pass
    return 128 + 13


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "report":
            args.format = "html"
            status = _check(args)
            print(f"drift-guard: wrote the HTML report to {args.shown_output}")
            return status
        if args.command == "fix":
            return _fix(args)
        if args.command == "revision":
            return _revision(args)
        if args.command == "rules":
            return _rules(markdown=args.markdown)
        if args.command == "rule":
            return _rule(args.code)
        if args.command == "config":
            return _config(args)
        if args.command == "baseline":
            return _baseline(args)
        if args.command == "clean":
            return _clean(args)
    except DriftGuardError as exc:
        from drift_guard.credentials import mask_credentials
        from drift_guard.report.text import printable

        print(f"drift-guard: error: {printable(mask_credentials(str(exc)))}", file=sys.stderr)
        return EXIT_ERROR
    except PermissionError as exc:
        # Files and folders that cannot be read are findings (DG001); this is the
        # last resort for a path no reader expected, so it is not a traceback.
        from drift_guard.report.text import printable

        where = printable(str(exc.filename)) if exc.filename else "a file"
        print(f"drift-guard: error: cannot access {where}: permission denied", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt as exc:
        from drift_guard.errors import Terminated

        terminated = isinstance(exc, Terminated)
        print(f"drift-guard: {'terminated' if terminated else 'interrupted'}", file=sys.stderr)
        return 143 if terminated else 130
    parser.print_help()
    return EXIT_ERROR


def _load(args: argparse.Namespace):
    from drift_guard.config import load_config

    paths = args.paths or [Path(".")]
    for path in paths:
        if not path.exists():
            raise DriftGuardError(f"no such file or directory: {path}")
    config = load_config(Path.cwd(), getattr(args, "config", None), rule_codes=_rule_codes())
    return [p.resolve() for p in paths], config


def _run(args: argparse.Namespace, *, select=(), ignore=(), collect_schemas: bool = False):
    from drift_guard.engine import run
    from drift_guard.session import DEFAULT_MIGRATION_TIMEOUT, RunOptions

    paths, config = _load(args)
    options = RunOptions(
        database_url=getattr(args, "database_url", None),
        no_migrations=getattr(args, "no_migrations", False),
        alembic_env=getattr(args, "alembic_env", False),
        use_cache=not (args.no_cache or os.environ.get("DRIFT_GUARD_NO_CACHE", "") not in ("", "0", "false")),
        cache_dir=_cache_dir(args),
        migration_timeout=getattr(args, "migration_timeout", None) or DEFAULT_MIGRATION_TIMEOUT,
    )
    result = run(paths, config, select=select, ignore=ignore, options=options, collect_schemas=collect_schemas)
    return result, config


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def _cache_dir(args: argparse.Namespace) -> Path | None:
    given = getattr(args, "cache_dir", None) or os.environ.get("DRIFT_GUARD_CACHE_DIR") or None
    return Path(given).absolute() if given else None


def _clean(args: argparse.Namespace) -> int:
    from drift_guard.cache import CACHE_DIR_NAME, remove_cache
    from drift_guard.config import load_config

    config = load_config(Path.cwd(), args.config, rule_codes=_rule_codes())
    directory = _cache_dir(args) or config.cache_path or (config.root / CACHE_DIR_NAME)
    removed = remove_cache(Path(directory).absolute())
    print(f"drift-guard: {'removed' if removed else 'no cache at'} {directory}")
    return EXIT_CLEAN


def _check(args: argparse.Namespace) -> int:
    from drift_guard.engine import failing
    from drift_guard.findings import Severity
    from drift_guard.report import render

    _known_codes("--select", args.select)
    _known_codes("--ignore", args.ignore)
    from drift_guard.report import NEEDS_SCHEMAS

    shown_output = args.shown_output = args.output
    # Resolved before the run: revision scripts are user code and may chdir.
    args.output = args.output.absolute() if args.output is not None else None
    args.baseline = args.baseline.absolute() if args.baseline is not None else None
    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    result, config = _run(args, select=args.select, ignore=args.ignore, collect_schemas=fmt in NEEDS_SCHEMAS)
    if args.baseline is not None:
        from drift_guard.baseline import apply_baseline

        result = apply_baseline(result, args.baseline, active_codes=result.active_codes)
    stream = sys.stdout
    color = fmt == "text" and args.output is None and stream.isatty() and not os.environ.get("NO_COLOR")
    if args.quiet and fmt == "text" and not result.findings:
        text = ""
    else:
        text = render(result, fmt, color=color, statistics=args.statistics)
        if args.quiet and fmt == "text":
            text = "".join(text.splitlines(keepends=True)[:-1])  # drop the summary line
    if fmt == "github":
        from drift_guard.report.github import write_step_summary

        target = os.environ.get("GITHUB_STEP_SUMMARY")
        try:
            write_step_summary(result)
        except OSError as exc:
            raise DriftGuardError(f"cannot write the step summary to {target}: {_reason(exc)}") from None
    if args.output is not None:
        try:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise DriftGuardError(f"cannot write the report to {shown_output}: {_reason(exc)}") from None
    elif text:
        stream.write(text)
    fail_on = Severity.parse(args.fail_on) if args.fail_on else config.fail_on
    if args.exit_zero or not failing(result.findings, fail_on):
        return EXIT_CLEAN
    return EXIT_FINDINGS


def _fix(args: argparse.Namespace) -> int:
    from drift_guard.fix import fix
    from drift_guard.fix.report import render_fix
    from drift_guard.report.text import printable
    from drift_guard.session import RunOptions

    _known_codes("--select", args.select)
    _known_codes("--ignore", args.ignore)
    paths, config = _load(args)
    options = RunOptions(
        no_migrations=True,
        use_cache=not (args.no_cache or os.environ.get("DRIFT_GUARD_NO_CACHE", "") not in ("", "0", "false")),
        cache_dir=_cache_dir(args),
    )
    result = fix(paths, config, select=args.select, ignore=args.ignore, remove=args.remove, write=not args.diff,
                 options=options)  # fmt: skip
    sys.stdout.write(printable(render_fix(result, diff=args.diff), keep="\n"))
    if result.changed and (args.diff or args.exit_non_zero_on_fix):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _revision(args: argparse.Namespace) -> int:
    from drift_guard.context import ServiceContext
    from drift_guard.discovery import discover
    from drift_guard.migrations.autogen import write_revision
    from drift_guard.session import RunOptions, Session

    paths, config = _load(args)
    session = Session(config, RunOptions(use_cache=False))
    with session.active():
        for service in discover(paths, config):
            if service.alembic_ini is None:
                continue
            ctx = ServiceContext(service, session)
            embedded = args.database_url is None and ctx.embedded_target() is not None
            written = write_revision(
                service, ctx.models, args.message, session, database_url=args.database_url, embedded=embedded
            )
            if written.scratch_fallback is not None:
                print(
                    f"drift-guard: {service.name}: replayed on SQLite, not the embedded PostgreSQL: "
                    f"{written.scratch_fallback}",
                    file=sys.stderr,
                )
            if written.path is None:
                print(f"drift-guard: {service.name}: the migrations match the models; no revision written")
            else:
                shown = session.shown(written.path)
                print(
                    f"drift-guard: wrote {shown} ({written.operations} operation(s), revises {written.down_revision})"
                )
    return EXIT_CLEAN


def _reason(exc: OSError) -> str:
    """Why a file could not be written, without the path (the message names it)."""
    return exc.strerror or exc.__class__.__name__


def _rule_codes() -> frozenset[str]:
    """The registered rule codes, which the configuration's codes must match."""
    from drift_guard.rules import load_rules

    return frozenset(load_rules())


def _known_codes(option: str, codes: Sequence[str]) -> None:
    """A code or prefix that selects no rule is a typo, not "nothing to report"."""
    from drift_guard.errors import ConfigError
    from drift_guard.rules import matches_a_rule

    for code in codes:
        if not matches_a_rule(code):
            raise ConfigError(f"{option}: '{code}' matches no rule code or prefix (`drift-guard rules` lists them)")


def _rules(*, markdown: bool = False) -> int:
    from drift_guard.rules import load_rules

    if markdown:
        print(rules_markdown(), end="")
        return EXIT_CLEAN
    for code, info in sorted(load_rules().items()):
        print(f"{code}  {info.name:<32} {info.severity.value:<8} {info.summary}")
    return EXIT_CLEAN


def rules_markdown() -> str:
    """The README's rule table, generated from the registry so it cannot go stale."""
    from drift_guard.rules import load_rules

    lines = ["| code | name | severity | what it catches |", "|---|---|---|---|"]
    for code, info in sorted(load_rules().items()):
        summary = info.summary.replace("|", "\\|")
        lines.append(f"| {code} | {info.name} | {info.severity.value} | {summary} |")
    return "\n".join(lines) + "\n"


def _rule(wanted: str) -> int:
    from drift_guard.rules import load_rules

    rules = load_rules()
    match = rules.get(wanted.upper()) or next((r for r in rules.values() if r.name == wanted.lower()), None)
    if match is None:
        raise DriftGuardError(f"unknown rule {wanted!r}; `drift-guard rules` lists them")
    print(f"# {match.code} {match.name} ({match.severity.value})\n")
    print(match.doc)
    return EXIT_CLEAN


def _config(args: argparse.Namespace) -> int:
    from drift_guard.discovery import discover
    from drift_guard.discovery.describe import describe as describe_config
    from drift_guard.report.text import printable

    paths, config = _load(args)
    print(printable(describe_config(config, discover(paths, config)), keep="\n"), end="")
    return EXIT_CLEAN


def _baseline(args: argparse.Namespace) -> int:
    from drift_guard.baseline import write_baseline

    target = args.file.absolute()  # before the run: revision scripts may chdir
    result, _ = _run(args)
    try:
        count = write_baseline(result, target)
    except OSError as exc:
        raise DriftGuardError(f"cannot write the baseline to {args.file}: {_reason(exc)}") from None
    print(f"drift-guard: wrote {count} finding(s) to {args.file}")
    return EXIT_CLEAN
