"""The quick path: ``status`` and the everyday ``task`` commands, answered without Typer.

Loading Typer and building a group's commands costs about 50 ms, half of what
Taskwarrior needs for a whole command. So :func:`answer` reads the command lines
of ``status``, ``task list``, ``task mine``, ``task start``, ``task done``,
``task reopen`` and ``task block`` itself, from the table :data:`COMMANDS`, runs
the same function their Typer commands run (:mod:`prosper_coop.cli.study_run`,
:mod:`prosper_coop.cli.task_run`) and reports failures the same way
(:func:`prosper_coop.cli.base.run_command`).

It reads only what is plainly right: the root options ``--study DIR``, ``-C DIR``
and ``--study=DIR`` before the command; each command's declared options as
``--opt value``, ``--opt=value`` and the declared short forms as separate words
(``-s todo``, ``-n 5``, ``-q``); and its positional arguments. Anything else (help,
``--version``, an unknown option, ``-stodo``, a value starting with ``-``, a
missing value, a bad number, ``--``, shell completion, ``PROSPER_COOP_DEBUG``) is
left to the full command line, which gives its usual answer or usage error.

Set ``PROSPER_COOP_NO_QUICK=1`` to always use the full command line (the tests
compare the two paths this way). Tests also check that :data:`COMMANDS` declares
exactly the options of the Typer commands, so an option added to one of them
without the table fails a test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from prosper_coop.cli import study_run, task_run
from prosper_coop.cli.base import run_command, set_study_dir

NO_QUICK_ENV = "PROSPER_COOP_NO_QUICK"
COMPLETION_ENV = "_PROSPER_COOP_COMPLETE"  # equals prosper_coop.cli.app.COMPLETION_ENV
DEBUG_ENV = "PROSPER_COOP_DEBUG"
STUDY_ENV = "PROSPER_COOP_STUDY"
STUDY_OPTIONS = ("--study", "-C")

# Kinds of option.
FLAG = "flag"  # --json: True when given
VALUE = "value"  # --wp WP3: a string (the last one wins when repeated)
MULTIPLE = "multiple"  # --status todo --status doing: a list
INT = "int"  # --limit 5: a whole number, at least ``minimum``


class Option(NamedTuple):
    """One option of a quick command, declared as its Typer command declares it."""

    name: str  # the Typer command's parameter name
    flags: tuple[str, ...]  # e.g. ("--status", "-s")
    kind: str  # FLAG, VALUE, MULTIPLE or INT
    default: Any = None
    minimum: int | None = None
    required: bool = False


class Command(NamedTuple):
    """A quick command: the function its Typer command calls, its arguments and options."""

    body: Callable[..., None]
    arguments: tuple[str, ...]
    options: tuple[Option, ...]


AS_JSON = Option("as_json", ("--json",), FLAG, False)
QUIET = Option("quiet", ("--quiet", "-q"), FLAG, False)
NOTE = Option("note", ("--note",), VALUE)

# The words that name a command (after the root options) -> the command.
COMMANDS: dict[tuple[str, ...], Command] = {
    ("status",): Command(study_run.status, (), (AS_JSON,)),
    ("task", "list"): Command(
        task_run.list_,
        (),
        (
            Option("wp", ("--wp",), VALUE),
            Option("owner", ("--owner",), VALUE),
            Option("status", ("--status", "-s"), MULTIPLE),
            Option("tag", ("--tag",), MULTIPLE),
            Option("overdue", ("--overdue",), FLAG, False),
            Option("due_before", ("--due-before",), VALUE),
            Option("open_only", ("--open",), FLAG, False),
            Option("waiting", ("--waiting",), FLAG, False),
            Option("search", ("--search",), VALUE),
            Option("sort", ("--sort",), VALUE, "id"),
            Option("reverse", ("--reverse",), FLAG, False),
            Option("limit", ("--limit", "-n"), INT, None, minimum=1),
            AS_JSON,
        ),
    ),
    ("task", "mine"): Command(
        task_run.mine, (), (Option("show_all", ("--all",), FLAG, False), AS_JSON)
    ),
    ("task", "start"): Command(task_run.start, ("task_id",), (NOTE, QUIET)),
    ("task", "done"): Command(
        task_run.done, ("task_id",), (Option("force", ("--force",), FLAG, False), NOTE, QUIET)
    ),
    ("task", "block"): Command(
        task_run.block, ("task_id",), (Option("reason", ("--reason",), VALUE, required=True), QUIET)
    ),
    ("task", "reopen"): Command(task_run.reopen, ("task_id",), (NOTE, QUIET)),
}


class Parsed(NamedTuple):
    """A command line the quick path answers."""

    study: Path | None
    command: Command
    params: dict[str, Any]


def _plain_value(value: str) -> bool:
    """Whether an option's value is one the quick path takes as it is."""
    return not value.startswith("-")


def _study_path(value: str) -> Path | None:
    """The --study value as the full command line takes it; None when it would refuse it.

    The full command line refuses a folder that exists but cannot be read (a usage
    error); that answer is left to it.
    """
    try:
        os.stat(value)  # noqa: PTH116 - the same check the full command line makes
    except OSError:
        return Path(value)
    return Path(value) if os.access(value, os.R_OK) else None


def _command_params(command: Command, words: Sequence[str]) -> dict[str, Any] | None:
    """The parameters for ``command`` from the words after its name; None if in doubt."""
    by_flag = {flag: option for option in command.options for flag in option.flags}
    given: dict[str, Any] = {}
    positionals: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if not word.startswith("-"):
            positionals.append(word)
            continue
        flag, value = word, None
        if word.startswith("--") and "=" in word:
            flag, value = word.split("=", 1)
        option = by_flag.get(flag)
        if option is None:
            return None
        if option.kind == FLAG:
            if value is not None:
                return None
            given[option.name] = True
            continue
        if value is None:
            if index >= len(words):
                return None
            value = words[index]
            index += 1
        if not _plain_value(value):
            return None
        if option.kind == MULTIPLE:
            given.setdefault(option.name, []).append(value)
        elif option.kind == INT:
            if not (value.isascii() and value.isdigit()):
                return None
            number = int(value)
            if option.minimum is not None and number < option.minimum:
                return None
            given[option.name] = number
        else:
            given[option.name] = value
    if len(positionals) != len(command.arguments):
        return None
    params: dict[str, Any] = dict(zip(command.arguments, positionals, strict=True))
    for option in command.options:
        if option.name in given:
            params[option.name] = given[option.name]
        elif option.required:
            return None
        else:
            params[option.name] = option.default
    return params


def parse(argv: Sequence[str]) -> Parsed | None:
    """Read a command line the quick path answers; None leaves it to the full command line."""
    if os.environ.get(NO_QUICK_ENV) or COMPLETION_ENV in os.environ or DEBUG_ENV in os.environ:
        return None
    study: str | None = None
    index = 0
    while index < len(argv) and argv[index].startswith("-"):
        word = argv[index]
        if word in STUDY_OPTIONS and index + 1 < len(argv):
            study = argv[index + 1]
            index += 2
        elif word.startswith("--study="):
            study = word.split("=", 1)[1]
            index += 1
        else:
            return None
        if not _plain_value(study):
            return None
    for length in (1, 2):
        words = tuple(argv[index : index + length])
        command = COMMANDS.get(words) if len(words) == length else None
        if command is not None:
            break
    else:
        return None
    params = _command_params(command, argv[index + length :])
    if params is None:
        return None
    if study is None:
        study = os.environ.get(STUDY_ENV) or None
    study_path = None if study is None else _study_path(study)
    if study is not None and study_path is None:
        return None
    return Parsed(study_path, command, params)


def answer(argv: Sequence[str]) -> int | None:
    """Run ``argv`` if the quick path answers it and return the exit code; else None."""
    parsed = parse(argv)
    if parsed is None:
        return None
    set_study_dir(parsed.study)
    return run_command(parsed.command.body, **parsed.params)
