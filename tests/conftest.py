"""A sealed test environment and shared fixtures.

Every test runs with a temporary HOME and cwd, an isolated git config (no global
identity, like a fresh machine), its own prosper-coop config dir, NO_COLOR and a
fixed terminal width, and a fixed "today" so dates in the example are stable.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from prosper_coop.cli.app import app
from prosper_coop.core.localconfig import local_actor
from prosper_coop.core.study import Study
from tests.helpers import TODAY


@pytest.fixture(autouse=True)
def sealed_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Isolate HOME, cwd, git config and prosper-coop settings for each test."""
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    for name in list(os.environ):
        if name.startswith(("GIT_", "PROSPER_COOP_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig-none"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("PROSPER_COOP_CONFIG_DIR", str(home / ".config" / "prosper-coop"))
    monkeypatch.setenv("PROSPER_COOP_TODAY", TODAY)
    monkeypatch.setenv("PROSPER_COOP_LOCK_TIMEOUT", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.chdir(work)
    from prosper_coop.crypto import keys

    keys.forget_unlocked()  # keys unlocked by an earlier test in this process are not this one's
    yield work


class Cli:
    """Run prosper-coop in-process and return the result."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> object:
        return self.runner.invoke(app, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def cli() -> Cli:
    """In-process CLI runner: ``result = cli("status", "--json")``."""
    return Cli()


@pytest.fixture(scope="session")
def example_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The PROSPER example built once per test process: its study folder and config folder.

    Building it makes fourteen people's keys (ssh-keygen and age) and takes most of a
    second; each test gets its own copy of both folders instead (see example_study).
    """
    from prosper_coop.crypto import keys
    from prosper_coop.workspace import create_study

    base = tmp_path_factory.mktemp("example-template")
    home = base / "home"
    home.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith(("GIT_", "PROSPER_COOP_")):
                patch.delenv(name)
        patch.setenv("HOME", str(home))
        patch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        patch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig-none"))
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        patch.setenv("PROSPER_COOP_CONFIG_DIR", str(base / "config"))
        patch.setenv("PROSPER_COOP_TODAY", TODAY)
        create_study(base / "prosper", title=None, example="prosper")
        keys.forget_unlocked()
    return base / "prosper", base / "config"


@pytest.fixture
def example_study(sealed_env: Path, example_template: tuple[Path, Path]) -> Study:
    """A fresh PROSPER example study of this test's own, in tmp, with everyone's demo keys
    in this test's config folder (a copy of the one built once per test process).

    Opened as the command line opens it: who acts comes from PROSPER_COOP_AS or
    whoami (the coordinator, who made it), and today from the clock.
    """
    study_source, config_source = example_template
    target = sealed_env / "prosper"
    # Copied as new files (shutil.copy keeps the mode, not the times): just written, as built.
    shutil.copytree(study_source, target, symlinks=True, copy_function=shutil.copy)
    shutil.copytree(config_source, Path(os.environ["PROSPER_COOP_CONFIG_DIR"]), dirs_exist_ok=True)
    return Study(target.resolve(), actor=local_actor)


@pytest.fixture
def empty_study(sealed_env: Path) -> Study:
    """A fresh study with only the default coordinator (opened as the command line does)."""
    from prosper_coop.workspace import create_study

    created = create_study(sealed_env / "study", title="Test study", example=None)
    return Study(created.root, actor=local_actor)


@pytest.fixture
def run_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed console script in a subprocess, the way a user does."""

    def run(
        *args: str,
        cwd: Path | None = None,
        input: str | None = None,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        script = Path(sys.executable).parent / "prosper-coop"
        command = [str(script)] if script.exists() else [sys.executable, "-m", "prosper_coop"]
        return subprocess.run(
            [*command, *args],
            cwd=cwd,
            input=input,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            timeout=120,
        )

    return run


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that run the console script start processes: they carry the ``slow`` marker."""
    for item in items:
        if "run_cli" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Gather the kill harness's held/tried figures (also from pytest-xdist workers)."""
    from tests.crash import summary

    summary.collect(report)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Print the kill harness's held/tried figures, if any kill test ran."""
    from tests.crash import summary

    factory = getattr(config, "_tmp_path_factory", None)
    summary.write(terminalreporter, factory.getbasetemp() if factory else None)
