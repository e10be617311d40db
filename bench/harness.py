"""Timing whole processes, the way a user waits for them: the median of several runs."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

BIN = Path(sys.executable).parent


def compile_package() -> None:
    """Compile this checkout's bytecode, as an installed package has it.

    With ``PYTHONDONTWRITEBYTECODE`` set, an editable install would otherwise
    compile every changed module again in every timed run.
    """
    import compileall

    compileall.compile_dir(Path(__file__).resolve().parents[1] / "prosper_coop", quiet=1)


def prosper(*args: str) -> list[str]:
    """The installed console script with ``args``."""
    return [str(BIN / "prosper-coop"), *args]


def time_command(
    command: Sequence[str],
    *,
    runs: int = 7,
    warmup: int = 1,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    check: bool = True,
) -> float:
    """Median wall time in seconds of ``command`` run as a whole process."""
    full_env = {**os.environ, **(env or {})}
    times = []
    for index in range(warmup + runs):
        started = time.perf_counter()
        result = subprocess.run(
            command,
            cwd=cwd,
            env=full_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        elapsed = time.perf_counter() - started
        if check and result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
        if index >= warmup:
            times.append(elapsed)
    return statistics.median(times)


def peak_memory_mb(
    command: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> float:
    """Peak resident memory (MB) of one run of ``command`` (and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        command, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, check=True
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(after, before) / 1024


def report(rows: list[tuple[str, float, float, float]]) -> None:
    """Print name, ours, baseline, ratio and the goal, one line each."""
    print(f"{'measure':58} {'ours':>9} {'base':>9} {'ratio':>6} {'goal':>6}")
    for name, ours, base, goal in rows:
        ratio = ours / base
        verdict = "ok" if ratio <= goal else "MISSED"
        print(
            f"{name:58} {ours * 1000:7.0f}ms {base * 1000:7.0f}ms {ratio:6.2f} "
            f"{goal:5.1f}x {verdict}"
        )
