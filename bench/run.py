"""Start-up benchmarks for the study workspace (issue: the study workspace).

    .venv/bin/python bench/run.py [--runs 9]

Measures, as whole processes and side by side in one run:
- ``prosper-coop --help`` against ``python -c "import typer"`` (goal: at most 2.0x);
- ``prosper-coop status`` on the PROSPER example against the same (goal: at most 3.0x).
Also reports (no goal here) ``status`` and ``doctor`` on a generated 10,000-task study,
and ``report`` on it (goal: under 5 s, and its web page under 2 MB).
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
            verify_times(work / "large", args.large)
            report_time(work / "large", args.large)


# Goals for ``report`` on the large study (the recruitment and reporting issue).
REPORT_SECONDS = 5.0
REPORT_HTML_BYTES = 2_000_000


def report_time(study: Path, tasks: int) -> None:
    """``prosper-coop report`` (every format) on the large study: time and size of the page."""
    first = time_command(prosper("report"), runs=1, warmup=0, cwd=study)  # builds and commits
    again = time_command(prosper("report"), runs=3, warmup=0, cwd=study)  # same data: no commit
    size = (study / "outputs" / "report" / "study-report.html").stat().st_size
    met = max(first, again) <= REPORT_SECONDS and size <= REPORT_HTML_BYTES
    verdict = "ok" if met else "MISSED"
    print(
        f"prosper-coop report on {tasks} tasks: {first:.2f} s (first, with its commit), "
        f"{again:.2f} s (median of 3 again); HTML {size / 1_000_000:.2f} MB "
        f"(goal: under {REPORT_SECONDS:g} s and {REPORT_HTML_BYTES / 1_000_000:g} MB) {verdict}"
    )


VERIFY = (
    "import shutil, sys, time; from pathlib import Path; "
    "from prosper_coop.core.study import Study; from prosper_coop.trust.verify import verify; "
    "root = Path(sys.argv[1]); shutil.rmtree(root / '.git' / 'prosper-coop-trust', "
    "ignore_errors=True); started = time.perf_counter(); found = verify(Study(root)); "
    "cold = time.perf_counter() - started; started = time.perf_counter(); verify(Study(root)); "
    "print(f'{cold:.3f} {time.perf_counter() - started:.4f} {len(found.findings)}')"
)


def verify_times(study: Path, tasks: int) -> None:
    """Verifying the signed history: from nothing (a fresh clone), then from the cache."""
    import subprocess

    commits = subprocess.run(
        ["git", "rev-list", "--count", "HEAD"], cwd=study, capture_output=True, text=True
    ).stdout.strip()
    done = subprocess.run(
        [sys.executable, "-c", VERIFY, str(study)], capture_output=True, text=True, check=True
    )
    cold, cached, findings = done.stdout.split()
    print(
        f"verify the history of the {tasks}-task study ({commits} commits): "
        f"{float(cold) * 1000:.0f} ms with no cache, {float(cached) * 1000:.1f} ms cached "
        f"({findings} unverified)"
    )


if __name__ == "__main__":
    main()
