"""The Makefile keeps the demo lean: ``make demo`` installs the tool alone, ``make test``
adds the test tools (ruff, mypy, hypothesis...).

Each target is asked what it would run (``make -n``) in a copy of the project with no
``.venv``, as on a new computer, so nothing is installed by the test itself.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


def would_run(tmp_path: Path, target: str) -> str:
    """What ``make -n target`` prints in a fresh copy of the Makefile and pyproject."""
    if shutil.which("make") is None:
        pytest.skip("needs GNU make: apt-get install make")
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(PROJECT / name, tmp_path / name)
    done = subprocess.run(
        ["make", "-n", target], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    return done.stdout


def installs(commands: str) -> list[str]:
    """The pip install lines among ``commands``."""
    return [
        line
        for line in commands.splitlines()
        if "pip install" in line and "--upgrade pip" not in line
    ]


def test_make_demo_installs_only_what_the_tool_needs(tmp_path: Path) -> None:
    lines = [line.strip() for line in installs(would_run(tmp_path, "demo"))]
    assert lines == [".venv/bin/python -m pip install --quiet -e ."]


def test_make_test_adds_the_test_tools(tmp_path: Path) -> None:
    lines = [line.strip() for line in installs(would_run(tmp_path, "test"))]
    assert lines == [
        ".venv/bin/python -m pip install --quiet -e .",
        ".venv/bin/python -m pip install --quiet -e '.[test]'",
    ]
