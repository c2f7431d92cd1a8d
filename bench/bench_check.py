"""Benchmark: how long `drift-guard check` takes as a whole process.

Prints medians and ratios against baselines measured in the same session (never
asserts a time): the interpreter start-up alone, and `drift-guard --version`
(import cost of the CLI). Run from the repository root:

    python bench/bench_check.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DRIFTED = ROOT / "fixtures" / "sample-drifted"


def wall(cmd: list[str], cwd: Path, runs: int) -> float:
    subprocess.run(cmd, cwd=cwd, capture_output=True)  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def generated_service(root: Path, tables: int) -> Path:
    """A service with ``tables`` model classes and matching PyDAL tables."""
    service = root / "services" / "big"
    (service / "app" / "db").mkdir(parents=True)
    models = ["from sqlalchemy import Column, Integer, String\nfrom sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n"]
    pydal = ["from pydal import DAL, Field\n\ndb = DAL('sqlite:memory', migrate=False)\n"]
    for i in range(tables):
        cols = "".join(f"    c{j} = Column(String({j + 10}), nullable=False)\n" for j in range(12))
        models.append(f"\n\nclass T{i}(Base):\n    __tablename__ = 't{i}'\n    id = Column(Integer, primary_key=True)\n{cols}")
        fields = ", ".join(f"Field('c{j}', length={j + 10}, notnull=True)" for j in range(12))
        pydal.append(f"db.define_table('t{i}', {fields})\n")
    (service / "app" / "db" / "models.py").write_text("".join(models))
    (service / "app" / "models.py").write_text("".join(pydal))
    return root


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    py = sys.executable
    rows = []
    base = wall([py, "-c", "pass"], ROOT, runs)
    version = wall([py, "-m", "drift_guard", "--version"], ROOT, runs)
    rows.append(("python -c pass (baseline)", base))
    rows.append(("drift-guard --version", version))
    rows.append(("check sample-drifted --no-migrations", wall([py, "-m", "drift_guard", "check", "--no-migrations"], DRIFTED, runs)))
    rows.append(("check sample-drifted (with migration replay)", wall([py, "-m", "drift_guard", "check"], DRIFTED, runs)))
    with tempfile.TemporaryDirectory() as tmp:
        big = generated_service(Path(tmp), 300)
        rows.append(("check 300-table service --no-migrations", wall([py, "-m", "drift_guard", "check", "--no-migrations"], big, runs)))
    print(f"median wall time over {runs} runs (after one warm-up)")
    print(f"{'command':<48} {'median s':>9} {'x baseline':>11} {'x --version':>12}")
    for name, seconds in rows:
        print(f"{name:<48} {seconds:9.3f} {seconds / base:11.1f} {seconds / version:12.2f}")


if __name__ == "__main__":
    main()
