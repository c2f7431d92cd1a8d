"""Time ``drift-guard check`` against ``alembic upgrade head && alembic check`` on generated services.

    python benchmarks/run.py [--sizes 50,200,1000] [--runs 5] [--runs-large 3]
                             [--drift-guard CMD] [--markdown]

Why this shape: drift-guard's promise is to be cheaper than what it replaces (replaying the
migrations and running ``alembic check``), so every figure is given as a ratio to that
baseline measured in the same session on the same machine, never as an absolute number to
assert. Whole processes are timed (interpreter start-up and imports included), because that
is what a pre-commit hook costs; peak RSS is the largest resident set in the process tree.

Scenarios per size: cold (cache dir removed before every run), warm (nothing changed), warm
after a code edit of app/db/models.py that keeps the schema (the target's "model edit": a
module-level constant), warm after an edit of a method of a model class, warm after an edit of
a column of it that keeps the schema (its ``doc=``: the models file is read again, as after
any edit of the mapping), warm after a comment-only edit of it (these three shown, with no
target), warm after an edit of one route module, and the Alembic baseline on a fresh SQLite
file. Until ``check --cache-dir``
exists the runner runs without it and says so, so the same script gives the before and after
figures.

Targets (interpretation of the performance brief): the ratio targets apply from N=200 up,
the absolute warm target at N=200, the memory target at N=1000, and cold(1000)/cold(200) when
both ran. Sizes of 1000 and more use --runs-large runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

try:
    from . import generate as G
except ImportError:  # run as a script: benchmarks/ is sys.path[0]
    import generate as G  # type: ignore[no-redef]

BIN = Path(sys.executable).parent
SCENARIOS = (
    "baseline",
    "cold",
    "warm",
    "warm+model edit",
    "warm+class edit",
    "warm+column edit",
    "warm+comment edit",
    "warm+route edit",
)
LARGE = 1000


@dataclass
class Sample:
    """The measured runs of one scenario at one size."""

    times: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    failures: int = 0  # runs whose exit code was not 0 (the figures then time an error path)
    failure_output: str = ""  # the first failing run's output tail, to say why

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def peak_mb(self) -> float:
        return max(self.rss_kb) / 1024


def measure(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, int, str]:
    """Wall time, peak RSS (KiB) of the whole process tree, exit code and output tail.

    ``os.wait4`` on Linux reports max(child, its waited-for descendants) as ru_maxrss, so a
    shell running two commands is covered; output goes to a file, never a pipe that could fill.
    """
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        tail = out.read().decode(errors="replace")[-1500:]
    return elapsed, kib(usage.ru_maxrss), proc.returncode, tail


def kib(maxrss: int) -> int:
    """ru_maxrss in KiB: Linux reports KiB, macOS bytes."""
    return maxrss // 1024 if sys.platform == "darwin" else maxrss


def run_scenario(
    cmd: list[str],
    cwd: Path,
    env: dict[str, str],
    runs: int,
    before: Callable[[], object] | None = None,
    warmup: bool = False,
) -> Sample:
    """Run ``cmd`` ``runs`` times, calling ``before`` (untimed) ahead of each measured run."""
    if warmup:
        measure(cmd, cwd, env)
    sample = Sample()
    for _ in range(runs):
        if before:
            before()
        elapsed, rss, code, tail = measure(cmd, cwd, env)
        sample.times.append(elapsed)
        sample.rss_kb.append(rss)
        sample.failures += code != 0
        sample.failure_output = sample.failure_output or (tail if code else "")
    return sample


def supports_cache_dir(drift_guard: list[str]) -> bool:
    """Whether this drift-guard has ``check --cache-dir`` (added together with the cache)."""
    proc = subprocess.run([*drift_guard, "check", "--help"], capture_output=True, text=True)
    return "--cache-dir" in proc.stdout


def bench_size(
    n: int, root: Path, drift_guard: list[str], use_cache: bool, runs: int, env: dict[str, str]
) -> dict[str, Sample]:
    """Generate an N-table repository under ``root`` and measure every scenario on it."""
    repo = root / f"n{n}"
    service = G.generate(n, repo)
    cache = root / f"cache-{n}"
    check = [*drift_guard, "check", *(["--cache-dir", str(cache)] if use_cache else [])]
    alembic = shlex.quote(str(BIN / "alembic") if (BIN / "alembic").exists() else "alembic")
    baseline = ["sh", "-c", f"{alembic} upgrade head && {alembic} check"]
    fresh_db = lambda: (service / "bench.db").unlink(missing_ok=True)  # noqa: E731
    no_cache = lambda: shutil.rmtree(cache, ignore_errors=True)  # noqa: E731
    # Unmeasured priming: both tools get their bytecode cache (see child_env) and the
    # generated modules are compiled once, as they would be in a developer's checkout.
    measure(baseline, service, env)
    output = measure(check, repo, env)[3]
    if "No drift found" not in output:  # the figures below would time a reporting path
        print(f"  warning: N={n}: drift-guard is not clean here:\n{output}", file=sys.stderr)
    results: dict[str, Sample] = {}
    steps: list[tuple[str, list[str], Path, Callable[[], object], bool]] = [
        ("baseline", baseline, service, fresh_db, False),
        ("cold", check, repo, no_cache, False),
        ("warm", check, repo, lambda: None, True),
        ("warm+model edit", check, repo, lambda: G.edit_model(service), False),
        ("warm+class edit", check, repo, lambda: G.edit_class(service), False),
        ("warm+column edit", check, repo, lambda: G.edit_column(service), False),
        ("warm+comment edit", check, repo, lambda: G.comment_model(service), False),
        ("warm+route edit", check, repo, lambda: G.edit_route(service), False),
    ]
    for name, cmd, cwd, before, warmup in steps:
        print(f"  N={n}: {name} x{runs} ...", file=sys.stderr, flush=True)
        results[name] = run_scenario(cmd, cwd, env, runs, before, warmup)
        if results[name].failures:
            print(
                f"  warning: N={n} {name}: {results[name].failures} run(s) exited non-zero;"
                f" first one ended with:\n{results[name].failure_output}",
                file=sys.stderr,
            )
    return results


# --- Targets -----------------------------------------------------------------------------


def size_targets(n: int, res: dict[str, Sample]) -> list[tuple[str, str, bool]]:
    """(target, measured, passed) for one size; only the targets that apply at this size."""
    base = res["baseline"].median
    ratio = lambda s: res[s].median / base  # noqa: E731
    out: list[tuple[str, str, bool]] = []
    if n >= 200:
        out.append(("cold <= 0.5x baseline", f"{ratio('cold'):.2f}x", ratio("cold") <= 0.5))
        out.append(("warm <= 0.05x baseline", f"{ratio('warm'):.3f}x", ratio("warm") <= 0.05))
        out.append(
            ("warm+model edit <= 0.25x baseline", f"{ratio('warm+model edit'):.2f}x", ratio("warm+model edit") <= 0.25)
        )
        out.append(
            ("warm+route edit <= 0.1x baseline", f"{ratio('warm+route edit'):.2f}x", ratio("warm+route edit") <= 0.1)
        )
    if n == 200:
        warm = res["warm"].median
        out.append(("warm < 0.25 s wall", f"{warm:.3f} s", warm < 0.25))
    if n == LARGE:
        peak = max(res[s].peak_mb for s in SCENARIOS if s != "baseline")
        out.append(("drift-guard peak RSS < 250 MB", f"{peak:.0f} MB", peak < 250))
    return out


def scaling(all_res: dict[int, dict[str, Sample]]) -> tuple[str, str, bool] | None:
    """cold(1000) / cold(200), when both sizes ran: drift-guard must scale about linearly."""
    if 200 not in all_res or LARGE not in all_res:
        return None
    r = all_res[LARGE]["cold"].median / all_res[200]["cold"].median
    return ("cold(1000) <= 5.5x cold(200)", f"{r:.2f}x", r <= 5.5)


# --- Output ------------------------------------------------------------------------------


def rows(all_res: dict[int, dict[str, Sample]]) -> list[list[str]]:
    out = []
    for n, res in all_res.items():
        base = res["baseline"].median
        for name in SCENARIOS:
            s = res[name]
            flag = " (!)" if s.failures else ""
            out.append(
                [
                    str(n),
                    name + flag,
                    f"{s.median:.3f}",
                    f"{min(s.times):.3f}-{max(s.times):.3f}",
                    f"{s.peak_mb:.0f}",
                    f"{s.median / base:.3f}x",
                ]
            )
    return out


def target_rows(all_res: dict[int, dict[str, Sample]]) -> list[list[str]]:
    def verdict(ok: bool, *sizes: int) -> str:  # failed runs timed an error path: no verdict
        failed = any(all_res[n][s].failures for n in sizes for s in SCENARIOS)
        return "INVALID (runs failed)" if failed else "PASS" if ok else "FAIL"

    out = [[str(n), t, v, verdict(ok, n)] for n, res in all_res.items() for t, v, ok in size_targets(n, res)]
    scale = scaling(all_res)
    if scale:
        out.append(["200/1000", scale[0], scale[1], verdict(scale[2], 200, LARGE)])
    return out


def machine() -> str:
    """Platform, CPU model, core count and Python version, for the README line."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.platform()}, {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def print_table(header: list[str], body: list[list[str]], markdown: bool) -> None:
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" for _ in header) + "|")
        for r in body:
            print("| " + " | ".join(r) + " |")
        return
    widths = [max(len(x) for x in col) for col in zip(header, *body)]
    for r in [header, *body]:
        print("  ".join(x.ljust(w) for x, w in zip(r, widths)).rstrip())


def report(all_res: dict[int, dict[str, Sample]], notes: list[str], markdown: bool) -> None:
    bullet = "- " if markdown else ""  # one Markdown list item per line, not one paragraph
    for line in [f"machine: {machine()}", *notes]:
        print(bullet + line)
    print()
    print_table(["N", "scenario", "median s", "min-max s", "peak RSS MB", "vs baseline"], rows(all_res), markdown)
    scale = scaling(all_res)
    if scale:
        print(f"\ncold(1000) / cold(200) = {scale[1]}")
    print()
    targets = target_rows(all_res)
    if targets:
        print_table(["N", "target", "measured", "result"], targets, markdown)
    else:
        print("(no target applies at these sizes: the targets are for N=200 and N=1000)")


def child_env(tmp: Path) -> dict[str, str]:
    """The environment of every measured command.

    DATABASE_URL is dropped because the generated env.py honours it (the baseline must use
    its own SQLite file); so are drift-guard's cache variables, which would override what
    each scenario sets up. Bytecode is written, to a prefix under ``tmp`` so no repository
    gets ``__pycache__`` folders: with PYTHONDONTWRITEBYTECODE set (as in some sandboxes and
    CI images) every run would recompile every module, which no installed tool does.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "PYTHONDONTWRITEBYTECODE", "DRIFT_GUARD_NO_CACHE", "DRIFT_GUARD_CACHE_DIR")
    }
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="50,200,1000", help="table counts, comma-separated")
    p.add_argument("--runs", type=int, default=5, help="measured runs per scenario")
    p.add_argument("--runs-large", type=int, default=3, help=f"runs for N >= {LARGE}")
    p.add_argument(
        "--drift-guard",
        default=str(BIN / "drift-guard"),
        help="drift-guard command (default: the one next to this Python)",
    )
    p.add_argument("--markdown", action="store_true", help="print Markdown tables")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    drift_guard = shlex.split(args.drift_guard)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    use_cache = supports_cache_dir(drift_guard)
    version = subprocess.run([*drift_guard, "--version"], capture_output=True, text=True)
    notes = [
        f"drift-guard: {shlex.join(drift_guard)} ({version.stdout.strip() or '?'})",
        "cache: --cache-dir"
        if use_cache
        else "cache: `check --cache-dir` not supported by this drift-guard; ran without it "
        "(cold and warm are then the same work)",
        "baseline: alembic upgrade head && alembic check (fresh SQLite file per run)",
        "bytecode: cached (PYTHONPYCACHEPREFIX in a temp dir), one unmeasured priming run of each tool per size",
    ]
    load_before = os.getloadavg()[0]  # other work on the machine skews every figure
    all_res: dict[int, dict[str, Sample]] = {}
    with tempfile.TemporaryDirectory(prefix="drift-guard-bench-") as tmp:
        env = child_env(Path(tmp))
        for n in sizes:
            runs = args.runs_large if n >= LARGE else args.runs
            all_res[n] = bench_size(n, Path(tmp), drift_guard, use_cache, runs, env)
    # A child's peak RSS includes what it inherited from this process before exec: a floor.
    own = kib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    notes.append(f"peak RSS: whole process tree; floor = this runner's {own / 1024:.0f} MB")
    notes.append(
        f"1-min load average: {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
        f" ({os.cpu_count()} cores; above ~0.5 expect noisy figures)"
    )
    report(all_res, notes, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
