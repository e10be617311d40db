"""Start-up benchmarks for the study workspace (issue: the study workspace).

    .venv/bin/python bench/run.py [--runs 9]

Measures, as whole processes and side by side in one run:
- ``prosper-coop --help`` against ``python -c "import typer"`` (goal: at most 2.0x);
- ``prosper-coop status`` on the PROSPER example against the same (goal: at most 3.0x).
Also reports (no goal here) ``status`` and ``doctor`` on a generated 10,000-task study.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import compile_package, prosper, report, time_command

from prosper_coop.status import cache as statuscache


def cold_status(example: Path, cache: Path, runs: int) -> float:
    """Median of ``status`` runs each made with no cache (as after any change)."""
    import statistics

    times = []
    for _ in range(runs):
        cache.unlink(missing_ok=True)
        times.append(time_command(prosper("status"), runs=1, warmup=0, cwd=example))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument(
        "--large", type=int, default=10_000, help="Tasks in the generated study (0 to skip)."
    )
    args = parser.parse_args()
    compile_package()
    with tempfile.TemporaryDirectory(prefix="prosper-bench-") as tmp:
        work = Path(tmp)
        time_command(prosper("init", "example", "--example", "prosper"), runs=1, warmup=0, cwd=work)
        example = work / "example"
        typer_import = time_command([sys.executable, "-c", "import typer"], runs=args.runs)
        cache = example / ".prosper" / "status-cache.json"
        time.sleep(statuscache.RACY_SECONDS)  # let the example's files age past the racy window
        rows = [
            (
                "prosper-coop --help  vs  python -c 'import typer'",
                time_command(prosper("--help"), runs=args.runs),
                typer_import,
                2.0,
            ),
            (
                "prosper-coop status (PROSPER example)  vs  import typer",
                time_command(prosper("status"), runs=args.runs, cwd=example),
                typer_import,
                3.0,
            ),
            (
                "  ...cold: right after a change (no cache)  vs  import typer",
                cold_status(example, cache, args.runs),
                typer_import,
                3.0,
            ),
        ]
        report(rows)
        if args.large:
            from generate import generate

            seconds = generate(work / "large", args.large)
            print(f"\ngenerated a {args.large}-task study in {seconds:.1f} s")
            time.sleep(statuscache.RACY_SECONDS)
            for command in (["status"], ["doctor"]):
                elapsed = time_command(prosper(*command), runs=3, cwd=work / "large")
                print(
                    f"prosper-coop {' '.join(command):10} on {args.large} tasks: "
                    f"{elapsed * 1000:.0f} ms (median of 3)"
                )


if __name__ == "__main__":
    main()
