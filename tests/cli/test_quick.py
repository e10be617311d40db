"""The quick path (``prosper_coop.cli.quick``) answers exactly as the full command line does.

Every command line is run twice as a console script: once as a user runs it,
once with ``PROSPER_COOP_NO_QUICK=1`` (the full Typer command line). A change
runs each way on its own fresh copy of the PROSPER example study at the same
place; a read runs both ways on one copy, which must stay as it was. Output, exit
code, the study's files and the commit made must be the same. Other tests check that
the quick table declares exactly the Typer commands' options, that whatever the
quick path does not read really goes to Typer, and that the quick path loads no
Typer at all.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from prosper_coop.cli import quick
from prosper_coop.core.errors import ExitCode

STUDY = "prosper"  # the folder name of every study copy, under the test's cwd
SCRIPT = Path(sys.executable).parent / "prosper-coop"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "prosper_coop"]
# Runs the console-script entry point and, at exit, writes to the file named by
# PROBE_FILE whether Typer (and the Click inside it) was ever imported.
PROBE = """
import atexit, os, sys
def _probe():
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("typer", "click"))
    with open(os.environ["PROBE_FILE"], "w", encoding="utf-8") as handle:
        handle.write("typer" if loaded else "no typer")
atexit.register(_probe)
sys.argv[0] = "prosper-coop"
from prosper_coop.cli.launch import main
main()
"""
_TEMPLATE: dict[str, Any] = {}


@pytest.fixture
def fresh_study(sealed_env: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Path]:
    """Put a fresh copy of the example study at ``<cwd>/prosper`` (built once per worker)."""
    if "root" not in _TEMPLATE:
        from prosper_coop.workspace import create_study

        template = tmp_path_factory.mktemp("quick-template") / STUDY
        create_study(template, title=None, example="prosper")
        _git(template, "repack", "-a", "-d", "-q")  # fewer files: quicker copies
        _git(template, "prune-packed")
        _TEMPLATE["root"] = template
        _TEMPLATE["snapshot"] = _snapshot(template)

    def fresh() -> Path:
        target = sealed_env / STUDY
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(_TEMPLATE["root"], target, symlinks=True)
        return target

    return fresh


def _run(
    argv: list[str], cwd: Path, env: dict[str, str], *, probe: Path | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", PROBE] if probe else COMMAND
    extra = {"PROBE_FILE": str(probe)} if probe else {}
    return subprocess.run(
        [*command, *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **env, **extra},
        timeout=120,
    )


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def _snapshot(root: Path) -> dict[str, Any]:
    """The study's files (times of day blanked: they tick between runs) and its last commit."""
    files = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and relative.parts[0] not in (".git", ".prosper"):
            text = path.read_bytes().decode("utf-8", "replace")
            files[str(relative)] = re.sub(r"\d\d:\d\d:\d\d", "hh:mm:ss", text)
    return {
        "files": files,
        "commits": _git(root, "rev-list", "--count", "HEAD"),
        "last": re.sub(
            r"\d\d:\d\d:\d\d",
            "hh:mm:ss",
            _git(root, "log", "-1", "--format=%s%n%b%n%an <%ae>%n%cn <%ce>"),
        ),
        "status": _git(root, "status", "--porcelain"),
    }


# (command line, extra environment, run from inside the study?, exit code both give).
# "{abs}" is replaced by the study's absolute path.
ON = ["--study", STUDY]
CHANGES = {"start", "done", "block", "reopen"}
PARITY: list[tuple[list[str], dict[str, str], bool, ExitCode]] = [
    # task list: every option, both spellings, repeats, JSON and table, user errors
    ([*ON, "task", "list"], {}, False, ExitCode.OK),
    ([*ON, "task", "list", "--wp", "WP3", "--status", "todo"], {}, False, ExitCode.OK),
    ([*ON, "task", "list", "--wp=WP3", "--status=todo", "-s", "doing"], {}, False, ExitCode.OK),
    (
        [*ON, "task", "list", "-s", "todo", "--status", "blocked", "--sort", "due", "--reverse"],
        {},
        False,
        ExitCode.OK,
    ),
    (
        [*ON, "task", "list", "--owner", "AC-03", "--open", "--sort=owner", "--json"],
        {},
        False,
        ExitCode.OK,
    ),
    (
        [*ON, "task", "list", "--tag", "fieldwork", "--tag=safeguarding", "--overdue"],
        {},
        False,
        ExitCode.OK,
    ),
    ([*ON, "task", "list", "--due-before", "2027-01-01", "--waiting"], {}, False, ExitCode.OK),
    ([*ON, "task", "list", "--search", "Site", "--limit", "2"], {}, False, ExitCode.OK),
    ([*ON, "task", "list", "--search=interviews", "-n", "3", "--json"], {}, False, ExitCode.OK),
    (
        [*ON, "task", "list", "--limit=1", "--sort", "created", "--due-before=+30"],
        {},
        False,
        ExitCode.OK,
    ),
    ([*ON, "task", "list", "--json", "--json", "--open", "--open"], {}, False, ExitCode.OK),
    ([*ON, "task", "list", "--wp", "WP1", "--wp", "WP3"], {}, False, ExitCode.OK),
    ([*ON, "task", "list", "--tag", "nothing-like-this"], {}, False, ExitCode.OK),
    ([*ON, "task", "list", "--tag", "nothing-like-this", "--json"], {}, False, ExitCode.OK),
    ([*ON, "task", "list", "--search="], {}, False, ExitCode.OK),
    ([*ON, "task", "list", "--wp", "WP9"], {}, False, ExitCode.NOT_FOUND),
    ([*ON, "task", "list", "--status", "finished"], {}, False, ExitCode.USAGE),
    ([*ON, "task", "list", "--owner", "CR-42"], {}, False, ExitCode.NOT_FOUND),
    ([*ON, "task", "list", "--due-before", "soon"], {}, False, ExitCode.USAGE),
    ([*ON, "task", "list", "--sort", "colour"], {}, False, ExitCode.USAGE),
    # where the study is: -C, --study=, the environment, the current folder, nowhere
    (["-C", "{abs}", "task", "list", "--wp", "WP4", "--json"], {}, False, ExitCode.OK),
    (["--study={abs}", "task", "list", "--open"], {}, False, ExitCode.OK),
    (["task", "list", "--wp", "WP2"], {"PROSPER_COOP_STUDY": STUDY}, False, ExitCode.OK),
    ([*ON, "task", "list", "--wp", "WP2"], {"PROSPER_COOP_STUDY": "nowhere"}, False, ExitCode.OK),
    (["task", "list", "--wp", "WP2"], {"PROSPER_COOP_STUDY": ""}, True, ExitCode.OK),
    (["-C", "nowhere", "--study", STUDY, "task", "list", "-n", "2"], {}, False, ExitCode.OK),
    (["task", "list", "--overdue"], {}, True, ExitCode.OK),
    (["task", "list"], {}, False, ExitCode.NOT_FOUND),
    (["--study", "nowhere", "task", "list"], {}, False, ExitCode.NOT_FOUND),
    (["--study=", "task", "list"], {}, False, ExitCode.NOT_FOUND),
    (["--study", STUDY + "/tasks", "task", "list", "--limit", "1"], {}, False, ExitCode.OK),
    # task mine
    ([*ON, "task", "mine"], {}, False, ExitCode.OK),
    ([*ON, "task", "mine", "--all", "--json"], {}, False, ExitCode.OK),
    ([*ON, "task", "mine", "--json"], {"PROSPER_COOP_AS": "CR-02"}, False, ExitCode.OK),
    ([*ON, "task", "mine"], {"PROSPER_COOP_AS": "CR-05"}, False, ExitCode.OK),
    ([*ON, "task", "mine", "--all"], {"PROSPER_COOP_AS": "CR-05"}, False, ExitCode.OK),
    ([*ON, "task", "mine"], {"PROSPER_COOP_AS": "XX-99"}, False, ExitCode.NOT_FOUND),
    # changes
    ([*ON, "task", "start", "T-0014"], {}, False, ExitCode.OK),
    ([*ON, "task", "start", "--note", "Begun on site", "-q", "T-0015"], {}, False, ExitCode.OK),
    ([*ON, "task", "start", "T-0024"], {}, False, ExitCode.CONFLICT),
    (["task", "start", "T-0014", "--note=Begun"], {"PROSPER_COOP_AS": "CR-02"}, True, ExitCode.OK),
    ([*ON, "task", "done", "T-0014", "--note", "Interviews finished"], {}, False, ExitCode.OK),
    (
        [*ON, "task", "done", "--force", "T-0015", "--note=Agreed at team meeting"],
        {},
        False,
        ExitCode.OK,
    ),
    ([*ON, "task", "done", "T-0015"], {}, False, ExitCode.CONFLICT),
    ([*ON, "task", "done", "T-0001"], {}, False, ExitCode.CONFLICT),
    ([*ON, "task", "done", "T-0999"], {}, False, ExitCode.NOT_FOUND),
    ([*ON, "task", "done", "42x"], {}, False, ExitCode.USAGE),
    (["-C", "{abs}", "task", "done", "T-0024", "-q"], {}, False, ExitCode.OK),
    (
        [*ON, "task", "block", "T-0014", "--reason", "Waiting for site access"],
        {},
        False,
        ExitCode.OK,
    ),
    ([*ON, "task", "block", "--reason=Waiting", "T-0014", "--quiet"], {}, False, ExitCode.OK),
    ([*ON, "task", "block", "T-0014", "--reason", ""], {}, False, ExitCode.USAGE),
    ([*ON, "task", "block", "T-0001", "--reason", "x"], {}, False, ExitCode.CONFLICT),
    ([*ON, "task", "block", "T-0014"], {}, False, ExitCode.USAGE),
    ([*ON, "task", "reopen", "T-0001"], {}, False, ExitCode.OK),
    ([*ON, "task", "reopen", "T-0001", "--note", "More to do", "-q"], {}, False, ExitCode.OK),
    ([*ON, "task", "reopen", "T-0014"], {}, False, ExitCode.CONFLICT),
    (["task", "done", "T-0014"], {"PROSPER_COOP_STUDY": STUDY}, False, ExitCode.OK),
    # status: the dashboard, as a table and as JSON
    ([*ON, "status"], {}, False, ExitCode.OK),
    (["-C", "{abs}", "status", "--json"], {}, False, ExitCode.OK),
    (["status"], {}, True, ExitCode.OK),
    (["status", "--json"], {"PROSPER_COOP_STUDY": STUDY}, False, ExitCode.OK),
    (["--study", "nowhere", "status"], {}, False, ExitCode.NOT_FOUND),
    (["--study", "nowhere", "task", "done", "T-0014"], {}, False, ExitCode.NOT_FOUND),
]


def _case_id(case: tuple[list[str], dict[str, str], bool, ExitCode]) -> str:
    argv, env, inside, _ = case
    words = " ".join(argv) + "".join(f" {k}={v}" for k, v in env.items())
    return words + (" (inside)" if inside else "")


def _expected_quick(argv: list[str]) -> bool:
    """Whether the quick path should answer (everything in PARITY but a missing --reason)."""
    return argv[-2:] != ["block", "T-0014"]


@pytest.mark.parametrize("case", PARITY, ids=[_case_id(c) for c in PARITY])
def test_quick_and_typer_answer_the_same(
    case: tuple[list[str], dict[str, str], bool, ExitCode],
    fresh_study: Callable[[], Path],
    sealed_env: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv, env, inside, code = case
    root = sealed_env / STUDY
    argv = [word.replace("{abs}", str(root)) for word in argv]
    cwd = root if inside else sealed_env
    # A read runs both ways on one copy, which must stay as it was; a change gets a copy each.
    changes = bool(CHANGES & set(argv))
    results = []
    for no_quick in ("", "1"):
        if changes or no_quick == "":
            fresh_study()
        result = _run(argv, cwd, {**env, quick.NO_QUICK_ENV: no_quick})
        answer = {"stdout": result.stdout, "stderr": result.stderr, "code": result.returncode}
        if changes:
            answer["study"] = _snapshot(root)
        results.append(answer)
    quick_run, typer_run = results
    assert quick_run == typer_run
    assert quick_run["code"] == code, quick_run["stderr"]
    if not changes:
        assert _snapshot(root) == _TEMPLATE["snapshot"]
    # The quick path really answered (or, for a missing --reason, left it to Typer).
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(cwd)
    assert (quick.parse(argv) is not None) == _expected_quick(argv)


def test_parity_covers_every_quick_command_and_option() -> None:
    words = {word.split("=")[0] for argv, _, _, _ in PARITY for word in argv}
    for key, command in quick.COMMANDS.items():
        assert set(key) <= words
        for option in command.options:
            assert set(option.flags) <= words, option.flags
    assert {"-C", "--study"} <= words
    assert {name for _, env, _, _ in PARITY for name in env} >= {quick.STUDY_ENV}
    assert {code for _, _, _, code in PARITY} == {
        ExitCode.OK,
        ExitCode.USAGE,
        ExitCode.NOT_FOUND,
        ExitCode.CONFLICT,
    }


def _run_on_a_terminal(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str, bytes]:
    """Run with stderr on a pseudo-terminal and colours allowed: messages go through rich."""
    import pty

    controller, terminal = pty.openpty()
    environment = {**os.environ, **env, "TERM": "xterm-256color"}
    environment.pop("NO_COLOR", None)
    with subprocess.Popen(
        [*COMMAND, *argv], cwd=cwd, stdout=subprocess.PIPE, stderr=terminal, env=environment
    ) as process:
        os.close(terminal)
        stdout, _ = process.communicate(timeout=120)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: everything was read
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    return process.returncode, stdout.decode(), shown


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        ([*ON, "task", "done", "T-0015", "--force"], b"\x1b[33mWarning: marked done although"),
        ([*ON, "task", "list", "--wp", "WP9"], b"\x1b[1;31mError: work package WP9 not found"),
        ([*ON, "task", "start", "T-0015", "-q"], b"\x1b[33mWarning: T-0015 is waiting on"),
    ],
    ids=["done with a warning", "error", "quiet"],
)
def test_quick_and_typer_look_the_same_on_a_terminal(
    argv: list[str], shown: bytes, fresh_study: Callable[[], Path], sealed_env: Path
) -> None:
    answers = []
    for no_quick in ("", "1"):
        fresh_study()
        answers.append(_run_on_a_terminal(argv, sealed_env, {quick.NO_QUICK_ENV: no_quick}))
    assert answers[0] == answers[1]
    assert shown in answers[0][2]


def test_the_switch_is_documented() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"| `{quick.NO_QUICK_ENV}` |" in readme
    assert quick.NO_QUICK_ENV in (quick.__doc__ or "")


# -- the table matches the Typer commands ----------------------------------------------------
def _typer_commands() -> dict[tuple[str, ...], Any]:
    """The click command of each quick command, found by its words in the full app."""
    from prosper_coop.cli import app as app_module

    found = {}
    for key in quick.COMMANDS:
        command = typer.main.get_command(app_module.app)
        for word in key:
            command = command.commands[word]  # type: ignore[attr-defined]
        found[key] = command
    return found


def test_quick_table_declares_exactly_the_typer_options() -> None:
    for key, click_command in _typer_commands().items():
        command = quick.COMMANDS[key]
        arguments = [p for p in click_command.params if p.param_type_name == "argument"]
        assert tuple(p.name for p in arguments) == command.arguments, key
        assert all(p.required and p.nargs == 1 and not p.multiple for p in arguments), key
        assert all(p.type.name == "str" for p in arguments), key
        options = {p.name: p for p in click_command.params if p.param_type_name == "option"}
        declared = {option.name: option for option in command.options}
        assert set(options) == set(declared), key
        for name, param in options.items():
            option = declared[name]
            assert tuple(param.opts) == option.flags, (key, name)
            assert param.secondary_opts == [], (key, name)
            assert param.envvar is None and not param.is_eager, (key, name)
            assert param.default == option.default, (key, name)
            assert param.required == option.required, (key, name)
            assert param.multiple == (option.kind == quick.MULTIPLE), (key, name)
            assert param.is_flag == (option.kind == quick.FLAG), (key, name)
            assert param.nargs == 1 and param.callback is None, (key, name)
            if option.kind == quick.INT:
                assert param.type.name == "int range", (key, name)
                assert (param.type.min, param.type.max) == (option.minimum, None), (key, name)
                assert not (param.type.min_open or param.type.clamp), (key, name)
            elif option.kind == quick.FLAG:
                assert param.type.name == "boolean", (key, name)
            else:
                assert param.type.name == "str", (key, name)
                assert option.minimum is None, (key, name)


def test_quick_root_options_match_the_root_command() -> None:
    from prosper_coop.cli import app as app_module

    assert quick.COMPLETION_ENV == app_module.COMPLETION_ENV
    assert set(quick.STUDY_OPTIONS) == app_module.ROOT_OPTIONS_WITH_VALUES
    root = typer.main.get_command(app_module.make_root())
    taking_values = [p for p in root.params if not getattr(p, "is_flag", False)]
    assert len(taking_values) == 1
    study = taking_values[0]
    assert set(study.opts) | set(study.secondary_opts) == set(quick.STUDY_OPTIONS)
    assert (study.envvar, study.default, study.multiple) == (quick.STUDY_ENV, None, False)
    path = study.type
    assert (path.exists, path.file_okay, path.dir_okay) == (False, True, True)
    assert (path.readable, path.writable, path.resolve_path, path.allow_dash) == (
        True,
        False,
        False,
        False,
    )
    # The words naming each quick command are plain words that Typer resolves exactly.
    assert set(_typer_commands()) == set(quick.COMMANDS)


def test_quick_bodies_are_the_ones_the_typer_commands_call() -> None:
    import inspect

    from prosper_coop.cli import study, study_run, task, task_run

    modules = {"task": (task, task_run), "status": (study, study_run)}
    for key, command in quick.COMMANDS.items():
        name = key[-1] if key[-1] != "list" else "list_"
        typer_module, run_module = modules[key[0]]
        assert command.body is getattr(run_module, name)
        typer_function = getattr(typer_module, name)
        source = inspect.getsource(typer_function)
        assert f"{run_module.__name__.rsplit('.', 1)[1]}.{command.body.__name__}(" in source, name
        parameters = list(inspect.signature(command.body).parameters)
        assert parameters == list(inspect.signature(typer_function).parameters), name


# -- what the quick path leaves to Typer ---------------------------------------------------------
# (command line, extra environment, exit code, words in the output). Each really goes to
# Typer: the probe sees Typer loaded and the answer is Typer's.
FALLBACK: list[tuple[list[str], dict[str, str], int, str]] = [
    ([*ON, "task", "list", "--help"], {}, 0, "Usage: prosper-coop task list [OPTIONS]"),
    ([*ON, "status", "--help"], {}, 0, "Usage: prosper-coop status [OPTIONS]"),
    ([*ON, "task", "done", "-h"], {}, 0, "Usage: prosper-coop task done [OPTIONS] {task_id}"),
    (["-h", "task", "list"], {}, 0, "Usage: prosper-coop [OPTIONS] COMMAND"),
    (["--version", "task", "list"], {}, 0, "prosper-coop 0.1.0"),
    ([*ON, "task", "list", "--bogus"], {}, 2, "No such option: --bogus"),
    ([*ON, "task", "list", "-stodo"], {}, 0, "T-0014"),
    ([*ON, "task", "list", "-s=todo"], {}, 2, "no task status"),
    ([*ON, "task", "list", "--search", "-x"], {}, 0, "No tasks match."),
    ([*ON, "task", "list", "--wp"], {}, 2, "Option '--wp' requires an argument."),
    ([*ON, "task", "list", "--limit", "five"], {}, 2, "'five' is not a valid int range"),
    ([*ON, "task", "list", "--limit", "0"], {}, 2, "0 is not in the range x>=1"),
    ([*ON, "task", "list", "--json=yes"], {}, 2, "Option '--json' does not take a value."),
    ([*ON, "task", "list", "WP3"], {}, 2, "Got unexpected extra argument(s) (WP3)"),
    ([*ON, "task", "done"], {}, 2, "Missing argument 'task_id'."),
    ([*ON, "task", "done", "--", "T-0001"], {}, 5, "already done"),
    ([*ON, "task", "block", "T-0014"], {}, 2, "Missing option '--reason'."),
    ([*ON, "task", "block", "T-0014", "--reason", "-"], {}, 0, "Marked T-0014 as blocked."),
    (["-C/nowhere", "task", "list"], {}, 3, "nowhere"),
    ([*ON, "task", "list"], {"PROSPER_COOP_NO_QUICK": "1"}, 0, "T-0014"),
    ([*ON, "task", "list", "--wp", "WP9"], {"PROSPER_COOP_DEBUG": "1"}, 1, "NotFoundError"),
    ([*ON, "task", "list"], {"_PROSPER_COOP_COMPLETE": "source_bash"}, 0, "complete -o default"),
]


# More command lines the quick path leaves to Typer (checked in-process only, to stay quick).
NOT_MINE: list[list[str]] = [
    [*ON, "task", "list", "--wp", "WP3", "--help"],
    [*ON, "task", "list", "--wp", "WP3", "-h"],
    [*ON, "task", "-h", "list"],
    [*ON, "--help", "task", "list"],
    [*ON, "task", "list", "--stat", "todo"],
    [*ON, "task", "list", "--wp=WP3", "--status=-x"],
    [*ON, "task", "list", "--search=-x"],
    [*ON, "task", "list", "-n", "-1"],
    [*ON, "task", "list", "-n3"],
    [*ON, "task", "list", "-qs", "todo"],
    [*ON, "task", "list", "--limit", " 2"],
    [*ON, "task", "list", "--limit", "2.0"],
    [*ON, "task", "list", "--limit", "٣"],
    [*ON, "task", "list", "--limit"],
    [*ON, "task", "list", "--reverse=1"],
    [*ON, "task", "list", "-"],
    [*ON, "task", "list", "--"],
    [*ON, "task", "done", "T-0001", "T-0002"],
    [*ON, "task", "done", "T-0001", "-h"],
    [*ON, "task", "done", "T-0001", "--force=yes"],
    [*ON, "task", "done", "T-0001", "--note"],
    [*ON, "task", "done", "T-0001", "--reason", "x"],
    [*ON, "task", "done", "-5"],
    [*ON, "task", "mine", "--all", "--open"],
    [*ON, "task", "mine", "CR-01"],
    [*ON, "task", "start"],
    [*ON, "task", "reopen", "T-0001", "-q=1"],
    [*ON, "task", "show", "T-0014"],
    [*ON, "task", "add", "WP3", "Title"],
    [*ON, "task"],
    [*ON, "task", "lisst"],
    [*ON, "wp", "list"],
    [*ON, "status", "--bogus"],
    [*ON, "status", "now"],
    [*ON, "status", "-h"],
    [*ON, "statuses"],
    ["--study", "-x", "task", "list"],
    ["--study=-x", "task", "list"],
    ["-C", "--study", "task", "list"],
    ["--study"],
    ["-C"],
    ["--show-completion", "task", "list"],
    ["--install-completion", "task", "list"],
    ["-q", "task", "list"],
    ["--json", "task", "list"],
    ["task", "--study", STUDY, "list"],
    ["list", "task"],
    [],
]


@pytest.mark.parametrize("argv", NOT_MINE, ids=[" ".join(argv) for argv in NOT_MINE])
def test_more_command_lines_the_quick_path_leaves_to_typer(argv: list[str]) -> None:
    assert quick.parse(argv) is None


def test_switches_send_everything_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    argv = [*ON, "task", "list", "--json"]
    assert quick.parse(argv) is not None
    for name, value in (
        (quick.NO_QUICK_ENV, "1"),
        (quick.DEBUG_ENV, "1"),
        (quick.DEBUG_ENV, ""),
        (quick.COMPLETION_ENV, ""),
        (quick.COMPLETION_ENV, "complete_bash"),
    ):
        with monkeypatch.context() as patch:
            patch.setenv(name, value)
            assert quick.parse(argv) is None, (name, value)
    monkeypatch.setenv(quick.NO_QUICK_ENV, "")
    assert quick.parse(argv) is not None


@pytest.mark.parametrize(
    ("argv", "env", "code", "words"),
    FALLBACK,
    ids=[" ".join(argv) + "".join(f" {k}" for k in env) for argv, env, _, _ in FALLBACK],
)
def test_what_the_quick_path_does_not_read_goes_to_typer(
    argv: list[str],
    env: dict[str, str],
    code: int,
    words: str,
    fresh_study: Callable[[], Path],
    sealed_env: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert quick.parse(argv) is None
    fresh_study()
    probe = sealed_env / "probe.txt"
    result = _run(argv, sealed_env, env, probe=probe)
    assert probe.read_text(encoding="utf-8") == "typer", result.stderr
    assert result.returncode == code, (result.stdout, result.stderr)
    assert words in result.stdout + result.stderr


def test_a_study_folder_that_cannot_be_read_goes_to_typer(
    fresh_study: Callable[[], Path], sealed_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = fresh_study()
    argv = ["--study", str(root), "task", "list"]
    monkeypatch.setattr(os, "access", lambda path, _mode: Path(path) != root)
    assert quick.parse(argv) is None
    monkeypatch.setenv(quick.STUDY_ENV, str(root))
    assert quick.parse(["task", "list"]) is None
    monkeypatch.undo()
    assert quick.parse(argv) is not None


# -- the quick path loads no Typer ------------------------------------------------------------
@pytest.mark.parametrize(
    "argv",
    [
        [*ON, "task", "list", "--wp", "WP3", "--status", "todo"],
        [*ON, "task", "list", "--json"],
        [*ON, "task", "done", "T-0014"],
        [*ON, "task", "done", "T-0001"],
        [*ON, "status"],
    ],
    ids=["list", "list --json", "done", "done (refused)", "status"],
)
def test_quick_commands_do_not_import_typer_or_click(
    argv: list[str], fresh_study: Callable[[], Path], sealed_env: Path
) -> None:
    fresh_study()
    probe = sealed_env / "probe.txt"
    result = _run(argv, sealed_env, {}, probe=probe)
    assert result.returncode in (ExitCode.OK, ExitCode.CONFLICT), result.stderr
    assert probe.read_text(encoding="utf-8") == "no typer"


def test_quick_modules_import_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "import prosper_coop.cli.launch, prosper_coop.cli.quick\n"
        "heavy = ('typer', 'click', 'rich', 'pydantic', 'yaml', 'git')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout == "[]\n", result.stderr


# -- failures are reported the same way on both paths ------------------------------------------
def _both_paths(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[int, str, str]]:
    """Run ``argv`` in-process through the quick path, then through Typer."""
    from prosper_coop.cli import launch

    monkeypatch.setattr(sys, "argv", ["prosper-coop", *argv])
    for no_quick in ("", "1"):
        monkeypatch.setenv(quick.NO_QUICK_ENV, no_quick)
        with pytest.raises(SystemExit) as stopped:
            launch.main()
        captured = capsys.readouterr()
        yield int(stopped.value.code or 0), captured.out, captured.err


@pytest.mark.parametrize(
    ("failure", "code", "message"),
    [
        (KeyboardInterrupt(), ExitCode.INTERRUPTED, "Stopped. Nothing more was changed.\n"),
        (
            RuntimeError("disk on fire"),
            ExitCode.ERROR,
            "Error: something unexpected went wrong (RuntimeError)\n"
            "Your study was left as it was. Run again with PROSPER_COOP_DEBUG=1 "
            "to see details, and report it to the study coordinator.\n",
        ),
    ],
    ids=["ctrl-c", "unexpected"],
)
@pytest.mark.parametrize("argv", [["task", "list", "--json"], ["task", "done", "T-0014"]])
def test_interruptions_and_surprises_are_reported_alike(
    argv: list[str],
    failure: BaseException,
    code: int,
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prosper_coop.cli import task_run

    def fail() -> None:
        raise failure

    monkeypatch.setattr(task_run, "open_study", fail)
    answers = list(_both_paths(argv, capsys, monkeypatch))
    assert answers == [(code, "", message)] * 2


def test_debug_shows_the_traceback_on_the_typer_path(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from prosper_coop.cli import base

    monkeypatch.setenv("PROSPER_COOP_DEBUG", "1")
    assert quick.parse(["task", "list"]) is None

    def boom() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        base.run_command(boom)
    assert base.report_failure(KeyboardInterrupt()) == ExitCode.INTERRUPTED
    assert capsys.readouterr().err == "Stopped. Nothing more was changed.\n"
