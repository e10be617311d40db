"""Every message a co-researcher may see reads easily and uses no jargon.

The messages are collected by running what a co-researcher does, for real: the
example study, acting as CR-01, through the in-process command line (the home
screen's menu at a real pseudo-terminal, and the written reflection with stdin
standing in for the terminal), plus a new co-researcher joining from a new
computer. The wording the study ships for them (``wellbeing/checkin.yaml``,
``wellbeing/reflection.yaml``, ``wellbeing/signposting.yaml`` and the finished
sentences of ``templates/wording.yaml``) is added as it is written.

Together they must score Flesch Reading Ease 70 or more (what the project asks of
its easy-read outputs, see ``default_readability``) and use no term of kind jargon
or people in the shipped ``templates/glossary.yaml``.

Not everything on the screen is prose, so :func:`prose` leaves out, before scoring:

- **command examples**: ``prosper-coop``, the command and sub-command words, and
  the options, their values and arguments that follow, read with the commands'
  own definitions (a flag takes no value); also a ``printf '...' |`` before one;
- **code spans** in backticks;
- **IDs** (``CR-01``, ``T-0031``, ``WP4``), **dates and times**, file paths and
  web addresses;
- **helpline numbers**: every service's contact line in the study's signposting;
- **tables**: borders and rows are data; column names are kept for the jargon
  check but not scored as sentences;
- **text from the study's own records** (the study's title, work-package, task,
  milestone and session titles, people's aliases, reflections): the team writes
  those, not the tool.

Each distinct line is counted once: the support list, shown by many commands, is
not counted many times. A line that does not end a sentence and is followed by one
starting in lower case is one wrapped sentence, and is joined to it.
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import typer.core
import typer.main

from prosper_coop.core.errors import ExitCode
from prosper_coop.core.models import ReadabilityThresholds
from prosper_coop.core.study import Study
from prosper_coop.outputs.readability import (
    Glossary,
    ReadabilityReport,
    analyse,
    find_jargon,
    load_glossary,
    split_sentences,
)
from tests.helpers import act_as

ROOT = Path(__file__).resolve().parents[1]
MIN_READING_EASE = 70.0
BANNED_KINDS = ("jargon", "people")


# -- what is not prose ------------------------------------------------------------------
@cache
def _commands() -> dict[str, Any]:
    """Every command word (and its other spellings) -> its command; groups hold theirs."""
    from prosper_coop.cli.app import ALIASES, build_app

    commands = dict(typer.main.get_command(build_app()).commands)  # type: ignore[attr-defined]
    commands |= {alias: commands[name] for alias, name in ALIASES.items()}
    return commands


def _options(command: Any) -> dict[str, bool]:
    """A command's options (and the root's) -> whether each is a flag (takes no value)."""
    found = {"-h": True, "--help": True, "--study": False, "-C": False}
    for param in command.params if command is not None else []:
        if isinstance(param, typer.core.TyperOption):
            for name in [*param.opts, *param.secondary_opts]:
                found[name] = bool(param.is_flag or param.count)
    return found


_ARGUMENT = re.compile(
    r"^(?:[A-Z]{1,4}-?\d+|\d+|[A-Z][A-Z_]{1,}|<[^>]*>|\{[^}]*\}|\[[^\]]*\]|"
    r"[\w.-]*[-/.\d][\w./-]*|[\"'].*)$"
)
_TOKEN = re.compile(r"\"[^\"]*\"|'[^']*'|\S+")
_END = ".,;:)"


def _strip_commands(text: str) -> str:
    """``text`` without command examples (see the module docstring)."""
    text = re.sub(r"printf '[^']*' \|\s*", "", text)
    out: list[str] = []
    position = 0
    for start in [m.start() for m in re.finditer(r"(?<![\w/-])prosper-coop\b", text)]:
        if start < position:
            continue
        out.append(text[position:start])
        after = start + len("prosper-coop")
        end = _command_end(text, after)
        position = start if end == after else end  # the name on its own is a word
    out.append(text[position:])
    return "".join(out)


def _command_end(text: str, position: int) -> int:
    """Where the command line that starts before ``position`` ends in ``text``."""
    command: Any = None
    options = _options(None)
    wants_value = False  # the option before takes a value: this word
    for match in _TOKEN.finditer(text, position):
        if "\n" in text[position : match.start()]:
            break
        raw = match.group(0)
        word = raw.rstrip(_END) if not raw.startswith(("'", '"')) else raw
        ends = word != raw
        children = _commands() if command is None else getattr(command, "commands", None)
        if wants_value or raw in ("<", ">", "|"):
            wants_value = raw in ("<", ">", "|")  # a redirection: the file name follows
        elif word.startswith("-"):
            wants_value = not options.get(word.split("=", 1)[0], "=" in word)
        elif children is not None and word in children:
            command = children[word]
            options |= _options(command)
        elif command is not None and _ARGUMENT.match(word):
            pass
        else:
            break
        position = match.start() + len(word)
        if ends:
            break
    return position


_NOT_WORDS = [
    re.compile(r"`[^`\n]*`"),  # code spans
    re.compile(r"https?://\S+|\b[\w.-]+\.(?:org|com|uk|net)(?:\.uk)?\b\S*"),  # addresses
    re.compile(r"SHA256:\S+"),  # key fingerprints
    re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*(?:\s+<[^>\s]*>)?"),  # options
    re.compile(r"<[^>\s]*>|\[[A-Z]+\]"),  # placeholders
    re.compile(r"(?<![\w/])[\w.-]*/[\w./-]*[A-Za-z][\w./-]*"),  # file paths (not 24/7)
    re.compile(r"\b[\w-]+\.(?:yaml|txt|md|age|docx|html)\b"),  # file names
    re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?\b"),  # dates, times
    re.compile(r"\b(?:[A-Z]{1,4}-\d{1,5}|WP\d+)\b"),  # IDs
]
_BORDERS = re.compile(r"[┏┓┗┛┣┫┳┻╋━┃┡┩╇│─└┘┌┐├┤┬┴┼═║╔╗╚╝╟╢╤╧]")


def _record_texts(study: Study) -> list[str]:
    """Text the study's own records hold (titles, aliases, reflections), longest first."""
    from prosper_coop.core import yamlio

    found: set[str] = set()
    wanted = {"title", "short_title", "alias", "name"}

    def walk(data: object) -> None:
        if isinstance(data, dict):
            for key, value in data.items():
                if key in wanted and isinstance(value, str) and len(value) > 2:
                    found.add(" ".join(value.split()))
                walk(value)
        elif isinstance(data, list):
            for item in data:
                walk(item)

    for path in sorted(study.root.rglob("*.yaml")):
        if ".git" in path.parts or path.parts[-2] in ("wellbeing", "templates", "protocols"):
            continue
        walk(yamlio.load_file(path))
    return sorted(found, key=len, reverse=True)


@dataclass
class Screen:
    """What a co-researcher saw: each command's output, and the study's wording."""

    study: Study
    outputs: list[tuple[str, str]] = field(default_factory=list)

    def add(self, where: str, text: str) -> None:
        """Keep ``text``, shown by ``where``."""
        self.outputs.append((where, text))

    def contacts(self) -> list[str]:
        """Every helpline's number or address, as the support list shows it."""
        from prosper_coop.wellbeing.config import signposting

        services = [*signposting(ROOT).services, *signposting(self.study.root).services]
        return sorted({service.contact for service in services}, key=len, reverse=True)


def _table_aware(lines: list[str]) -> Iterator[tuple[str, bool]]:
    """Lines with table borders removed; table rows left out, column names not scored."""
    in_rows = False
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if re.fullmatch(r"[\s\-]+", line) and "--" in line:
            in_rows = True  # the dashes under a plain table's column names
            continue
        if not line.strip():
            in_rows = False
        if in_rows:
            continue
        if _BORDERS.search(line):
            if "┃" in line:  # column names
                yield " ".join(_BORDERS.sub(" ", line).split()), False
            continue
        if re.fullmatch(r"[\s\-]+", following) and "--" in following:
            yield " ".join(re.split(r"\s{2,}", line.strip())), False
            continue
        yield line, True


def prose(line: str) -> str:
    """A line without commands, code, addresses, paths, dates and IDs (module docstring)."""
    text = _strip_commands(line)
    listed = re.match(r"\s*([\w-]+)\s{2,}", text)  # a command named in a list of commands
    if listed and listed.group(1) in _commands():
        text = text[listed.end() :]
    for pattern in _NOT_WORDS:
        text = pattern.sub(" ", text)
    text = re.sub(r"\(\s*[,;:\s]*\)", " ", text)  # brackets left empty
    text = re.sub(r"\s+([,;:.])", r"\1", text)
    text = re.sub(r"([,;:])(?:[,;:\s])+", r"\1 ", text)
    return " ".join(text.split()).strip(" ,;").removeprefix("- ").removeprefix("> ")


def units(screen: Screen) -> tuple[list[tuple[str, str]], str]:
    """Distinct prose units to score (where, text), and all the words for the jargon check.

    A line that does not end a sentence, followed by one that starts in lower case, is
    one sentence wrapped: the two are joined.
    """
    records = _record_texts(screen.study)
    contacts = screen.contacts()
    scored: dict[str, str] = {}
    everything: list[str] = []
    for where, output in screen.outputs:
        pending = ""
        for line, is_prose in _table_aware(output.splitlines()):
            for contact in contacts:
                line = line.replace(contact, " ")
            for record in records:
                if record in line:
                    line = re.sub(rf"(?<!\w){re.escape(record)}(?!\w)", " ", line)
            text = prose(line)
            if not re.search(r"[A-Za-z]{2}", text):
                continue
            everything.append(text)
            if not is_prose:
                continue
            if pending and text[0].islower():
                pending = f"{pending} {text}"
            else:
                if pending:
                    scored.setdefault(pending, where)
                pending = text
            if pending.endswith((".", "!", "?", ":")):
                scored.setdefault(pending, where)
                pending = ""
        if pending:
            scored.setdefault(pending, where)
    return [(where, text) for text, where in scored.items()], "\n".join(everything)


# -- running what a co-researcher does ---------------------------------------------------
class Run:
    """Runs commands in-process as whoever acts now, keeping what each one showed."""

    def __init__(self, cli: Callable[..., Any], screen: Screen) -> None:
        self.cli = cli
        self.screen = screen

    def __call__(self, *args: str, input: str | None = None, code: int = 0) -> str:
        result = self.cli(*args, input=input)
        assert result.exit_code == code, (args, result.output)
        self.screen.add("prosper-coop " + " ".join(args), result.output)
        return str(result.stdout)


def _console_script() -> list[str]:
    script = Path(sys.executable).parent / "prosper-coop"
    return [str(script)] if script.exists() else [sys.executable, "-m", "prosper_coop"]


def _home_screen_at_a_terminal(root: Path) -> str:
    """The home screen at a pseudo-terminal: move, mistype, ask for support, leave."""
    from prosper_coop.cli import home

    main, secondary = pty.openpty()
    child = subprocess.Popen(
        _console_script(), cwd=root, stdin=secondary, stdout=secondary, stderr=secondary
    )
    os.close(secondary)
    seen = b""
    looked_to = 0

    def until(text: str) -> None:
        """Wait until ``text`` is shown, after what was waited for before."""
        nonlocal seen, looked_to
        deadline = time.monotonic() + 60
        while (found := seen.find(text.encode(), looked_to)) < 0:
            assert time.monotonic() < deadline, f"never saw {text!r} in:\n{seen.decode()}"
            if select.select([main], [], [], 0.5)[0]:
                try:
                    seen += os.read(main, 65536)
                except OSError:  # the program has ended
                    raise AssertionError(f"ended before {text!r}:\n{seen.decode()}") from None
        looked_to = found + len(text)

    try:
        steps = [
            (home.HOW_TO_CHOOSE, b"\x1b[B"),  # the down arrow
            ("(Enter to choose)", b"9"),  # a number not on the menu
            ("There is no 9 here.", b"x"),  # a letter not on the menu
            ("Please type", b"s"),  # support
            (home.AFTER, b"q"),  # leave
        ]
        for text, keys in steps:
            until(text)
            os.write(main, keys)
        until(home.GOODBYE)
        assert child.wait(timeout=60) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        while select.select([main], [], [], 0)[0]:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        os.close(main)
    return seen.decode("utf-8", errors="replace").replace("\r\n", "\n")


def _what_the_study_ships(screen: Screen) -> None:
    """The wording shipped for co-researchers, as written (see the module docstring)."""
    from prosper_coop.core import yamlio
    from prosper_coop.wellbeing.config import checkin_settings, signposting
    from prosper_coop.wellbeing.reflections import reflection_questions

    checkin = checkin_settings(ROOT)
    screen.add(
        "wellbeing/checkin.yaml",
        "\n".join(
            [
                checkin.intro,
                checkin.low_label.capitalize() + ".",
                checkin.high_label.capitalize() + ".",
                checkin.distress_question,
                checkin.contact_question,
                checkin.note_question,
                checkin.thanks,
            ]
        ),
    )
    asked = reflection_questions(ROOT)
    screen.add(
        "wellbeing/reflection.yaml",
        "\n".join([asked.intro, *(f"{q.heading}.\n{q.question}" for q in asked.questions)]),
    )
    support = signposting(ROOT)
    lines = [support.title, support.intro]
    for service in support.services:
        lines += [f"{service.name}.", service.when, service.note]
    screen.add("wellbeing/signposting.yaml", "\n".join(lines))
    wording = yamlio.load_file(ROOT / "templates" / "wording.yaml")
    finished = [
        text
        for text in wording.values()
        if isinstance(text, str) and not text.startswith("Say here")
    ]
    screen.add("templates/wording.yaml", "\n".join(finished))


@pytest.fixture
def screen(example_study: Study, cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Screen:
    """Everything a co-researcher saw, doing what co-researchers do."""
    from prosper_coop.cli import home, private_input
    from prosper_coop.crypto import keys

    seen = Screen(example_study)
    run = Run(cli, seen)
    monkeypatch.chdir(example_study.root)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)

    # The coordinator gives CR-01 a task (its date has passed) and adds a newcomer.
    new_task = run("task", "add", "WP4", "Read the interview guide", "--owner", "CR-01", "--due",
                   "2026-11-20", "-q").strip()  # fmt: skip
    newcomer = run("people", "add", "--role", "co-researcher", "--alias", "New one", "-q").strip()
    seen.outputs.clear()  # what the coordinator saw is not for this test

    act_as(monkeypatch, "CR-01")
    run()  # no terminal: the short help
    run("help")
    run("help", "checkin")
    run("whoami")
    run("support")
    run("status")
    run("task", "mine")
    run("task", "start", new_task)
    run("task", "done", new_task)
    run("task", "mine")
    run("session", "list")
    run("session", "list", "--mine")
    run("sync", code=ExitCode.NOT_FOUND)  # no shared copy yet
    # Checking in: asked at the prompt (with answers that do not fit), then by options.
    run("checkin", input="lots\n12\n3\nmaybe\nno\nA long day\n")
    for rating, contact in (("2", "no"), ("5", "no"), ("8", "no"), ("1", "yes")):
        run("checkin", "--distress", rating, "--contact", contact)
    run("checkin", "--from-stdin", input="distress: 3\ncontact: no\nnote: tired\n")
    run("checkin", "--distress", "eleven", code=ExitCode.USAGE)
    run("checkin", "--distress", "3", "--contact", "maybe", code=ExitCode.USAGE)
    run("checkin", "--distress", "lots", code=ExitCode.USAGE)
    # Reflections: piped in; then written at the prompt (kept, skipped, and left).
    run("reflect", "--wp", "WP4", input="It went well today.\n")
    run("reflect", "--share", input="Something to share.\n")
    with pytest.MonkeyPatch.context() as terminal:  # stdin stands in for the terminal
        terminal.setattr(private_input, "has_terminal", lambda: True)
        run("reflect", input="We met.\n\nCalm.\n\n\n\nyes\n")
        run("reflect", input="\n\n\n")
        run("reflect", "--share", input="Hello.\n\n\n\nmaybe\nno\n")
    run("reflect", "list")
    shown = run("reflect", "show", "1")
    seen.outputs[-1] = (seen.outputs[-1][0], shown.split("\n\n", 1)[0])  # not the record
    run(
        "people", "add", "--role", "co-researcher", "--alias", "Friend", code=ExitCode.NOT_PERMITTED
    )
    seen.add("the home screen, at a terminal", _home_screen_at_a_terminal(example_study.root))

    # A newcomer on a new computer: not joined yet, then joining.
    monkeypatch.setenv("PROSPER_COOP_CONFIG_DIR", str(tmp_path / "new-laptop"))
    monkeypatch.delenv("PROSPER_COOP_AS")
    keys.forget_unlocked()
    monkeypatch.setattr(home, "at_a_terminal", lambda: True)
    run(input="q\n")  # the home screen, for someone this computer does not know
    run("checkin", "--distress", "2", "--contact", "no", code=ExitCode.NOT_JOINED)
    run("task", "mine", code=ExitCode.NOT_JOINED)
    monkeypatch.setenv("PROSPER_COOP_AS", newcomer)
    run(input="q\n")  # the home screen, for someone who has not joined here
    monkeypatch.delenv("PROSPER_COOP_AS")
    run("join", newcomer)
    run("whoami")
    _what_the_study_ships(seen)
    return seen


# -- the tests ----------------------------------------------------------------------------
@cache
def _glossary() -> Glossary:
    return load_glossary(ROOT / "templates" / "glossary.yaml")


def _measure(texts: list[str]) -> ReadabilityReport:
    """The project's own readability analysis of ``texts``, with the shipped glossary."""
    return analyse(
        texts,
        source="what a co-researcher sees",
        output_type="messages",
        thresholds=ReadabilityThresholds(min_reading_ease=MIN_READING_EASE),
        glossary=_glossary(),
    )


def hardest(scored: list[tuple[str, str]], count: int = 12) -> list[str]:
    """The hardest sentences to read (lowest Flesch Reading Ease first), with where shown."""
    found = [
        (_measure([sentence]).reading_ease, where, sentence)
        for where, unit in scored
        for sentence in split_sentences(unit)
        if len(sentence.split()) >= 4  # a name on its own (Samaritans) is not hard to read
    ]
    found.sort(key=lambda item: item[0])
    return [f"{ease:6.1f}  [{where}] {sentence}" for ease, where, sentence in found[:count]]


def jargon_in(everything: str) -> list[str]:
    """Each glossary term of the banned kinds that is used, with the lines that use it."""
    glossary = _glossary()
    problems = []
    for found in find_jargon(everything, glossary):
        if found.kind not in BANNED_KINDS:
            continue
        only = glossary.model_copy(
            update={"terms": [term for term in glossary.terms if term.term == found.term]}
        )
        lines = [line for line in everything.splitlines() if find_jargon(line, only)]
        problems.append(f"{found.term!r} (say: {found.plain}): {lines}")
    return problems


def test_every_message_a_coresearcher_sees_reads_easily_and_uses_no_jargon(screen) -> None:
    scored, everything = units(screen)
    texts = [text for _, text in scored]
    # Every flow was seen (a collector that saw nothing would pass anything).
    shown = "\n".join(texts)
    for expected in (
        "What would you like to do?",  # the home screen at a terminal
        "There is no 9 here.",
        "Hello. This computer does not know who you are in this study yet.",
        "Your tasks.",  # the short help
        "Check in: how you are feeling, and whether you would like someone to contact you.",
        "If you would like support",
        "This is your own view: your tasks, your sessions, and how the team is doing.",
        "The date has passed on one of your tasks.",
        "Marked as done.",
        "Saved your check-in.",
        "Please answer yes or no.",
        "Because your rating was high, we have let the wellbeing lead know",
        "We have let the wellbeing lead know that you would like to be contacted.",
        "Error: the rating should be from 0 to 10",
        "Saved your reflection.",
        "A few short questions about the work and how it was for you.",
        "You left without saving.",
        "Error: only the coordinator can add people to the study",
        "Error: this computer does not know who you are in this study yet",
        "You have joined as. This computer will remember you.",
        "Would you like someone from the wellbeing team to get in touch with you?",
    ):
        assert expected in shown, f"{expected!r} was never seen"
    report = _measure(texts)
    problems = []
    if report.reading_ease < MIN_READING_EASE:
        problems.append(
            f"Flesch Reading Ease {report.reading_ease} is below {MIN_READING_EASE} "
            f"({report.words} words, {report.sentences} sentences). Hardest sentences:"
        )
        problems += hardest(scored)
    problems += jargon_in(everything)
    assert problems == [], "\n".join(problems)


def test_commands_ids_and_numbers_are_not_scored_as_prose() -> None:
    assert (
        prose("Run it again with, for example: prosper-coop checkin --distress 5 --contact no")
        == "Run it again with, for example:"
    )
    assert prose("you can run prosper-coop reflect --share instead.") == "you can run instead."
    assert prose("See it with: prosper-coop task show 23.") == "See it with:."
    assert (
        prose("Checklist: 7 things still to do (prosper-coop session show S-0004).")
        == "Checklist: 7 things still to do."
    )
    assert prose("Ask CO-01 (Study coordinator) to do it, by 2026-12-01.") == (
        "Ask (Study coordinator) to do it, by."
    )
    assert prose("Or pipe it in: prosper-coop reflect < reflection.txt") == "Or pipe it in:"
    assert prose("  prosper-coop task mine   Your tasks.") == "Your tasks."
    assert prose("  checkin    Check in: how you are feeling.") == "Check in: how you are feeling."
    assert prose("Edit `wellbeing/checkin.yaml` or protocols/permissions.yaml now.") == (
        "Edit or now."
    )
    assert prose("(24/7, free)") == "(24/7, free)"
    # The tool's name on its own is a word, not a command.
    assert prose("prosper-coop helps a team.") == "prosper-coop helps a team."


def test_tables_keep_their_column_names_but_not_their_rows() -> None:
    table = [
        "┏━━━━━━━━━┳━━━━━━━━━━━┓",
        "┃ Session ┃ Type      ┃",
        "┡━━━━━━━━━╇━━━━━━━━━━━┩",
        "│ S-0001  │ interview │",
        "└─────────┴───────────┘",
        "ID      Title",
        "------  -----",
        "T-0001  Some words here",
        "",
        "A sentence after the table.",
    ]
    assert list(_table_aware(table)) == [
        ("Session Type", False),
        ("ID Title", False),
        ("", True),
        ("A sentence after the table.", True),
    ]
