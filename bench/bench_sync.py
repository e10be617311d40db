"""``prosper-coop sync`` with nothing to do, side by side with ``git pull`` + ``git push``.

    python bench/bench_sync.py [--tasks 10000] [--runs 15]

Builds a synthetic study (bench/generate.py), pushes it to a local bare
repository, then times whole processes on the same clone and remote,
alternating the two so both see the same machine state, and reports the
medians. The goal: sync within 1.5x of git pull + git push.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

GOAL = 1.5


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Seconds one whole process (or shell pipeline) took; it must succeed."""
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    from generate import generate
    from harness import compile_package

    compile_package()
    work = Path(tempfile.mkdtemp(prefix="prosper-bench-sync-"))
    env = {
        **os.environ,
        "HOME": str(work),
        "GIT_CONFIG_GLOBAL": str(work / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
    }
    os.environ.update({k: env[k] for k in ("HOME", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM")})
    try:
        study = work / "study"
        remote = work / "remote.git"
        seconds = generate(study, args.tasks)
        print(f"study with {args.tasks} tasks generated in {seconds:.1f} s")
        subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True, env=env)
        script = Path(sys.executable).parent / "prosper-coop"
        cli = [str(script)] if script.exists() else [sys.executable, "-m", "prosper_coop"]
        subprocess.run([*cli, "remote", "set", str(remote)], cwd=study, env=env, check=True)
        subprocess.run([*cli, "sync"], cwd=study, env=env, check=True, capture_output=True)
        subprocess.run(
            ["git", "branch", "-q", "--set-upstream-to=origin/main"], cwd=study, env=env, check=True
        )
        baseline_cmd = ["sh", "-c", "git pull -q && git push -q"]
        sync_cmd = [*cli, "sync"]
        said = subprocess.run(
            sync_cmd, cwd=study, env=env, check=True, capture_output=True, text=True
        )
        print(f"sync says: {said.stderr.strip()}")
        for _ in range(2):  # warm the caches
            timed(baseline_cmd, study, env)
            timed(sync_cmd, study, env)
        baseline, ours = [], []
        for _ in range(args.runs):
            baseline.append(timed(baseline_cmd, study, env))
            ours.append(timed(sync_cmd, study, env))
        base_ms = statistics.median(baseline) * 1000
        sync_ms = statistics.median(ours) * 1000
        ratio = sync_ms / base_ms
        print(f"git pull + git push      median {base_ms:7.1f} ms  ({args.runs} runs)")
        print(f"prosper-coop sync        median {sync_ms:7.1f} ms  ({args.runs} runs)")
        verdict = "within" if ratio <= GOAL else "NOT within"
        floor = statistics.median(
            timed([sys.executable, "-c", "pass"], study, env) for _ in range(args.runs)
        )
        print(f"(python start-up alone   median {floor * 1000:7.1f} ms)")
        print(f"ratio {ratio:.2f}: {verdict} the {GOAL}x goal")
        if ratio > GOAL:
            sys.exit(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
