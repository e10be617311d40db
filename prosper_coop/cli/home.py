"""``prosper-coop`` on its own: the home screen; and ``prosper-coop help``.

At a terminal, the home screen greets the person by their study ID and offers
what their roles do most, by number or with the arrow keys and Enter
(:mod:`prosper_coop.cli.menu`); support is always one key away (``s`` or ``?``).
A choice runs the real command in this process, through the same command line
as typing it would (:func:`run_command`), then waits: Enter comes back to the menu,
``s`` shows support, ``q`` leaves. Someone who has not joined the study on this
computer, or who is not in a study folder, is told so gently and offered the way
in (join, start a study, copy the team's), never an error.

Outside a terminal (a script, a pipe) it prints a short help and exits 0.
``prosper-coop help`` lists every command grouped by what it is for, with its
whole description; ``prosper-coop help COMMAND`` shows that command's own help.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from prosper_coop.cli.common import output

if TYPE_CHECKING:
    from prosper_coop.cli.menu import Choice
    from prosper_coop.core.errors import UserError


def register(app: typer.Typer) -> None:
    """Add ``help`` (``prosper-coop`` on its own opens :func:`home`, from the root)."""
    app.command("help")(help_)


# -- what each role does most ----------------------------------------------------------
@dataclass(frozen=True)
class Action:
    """A menu line: what it does in plain words, and the command line it runs.

    ``asks`` are questions whose answers are added to the command line (a folder, an
    address); an empty answer runs nothing.
    """

    label: str
    argv: tuple[str, ...]
    asks: tuple[str, ...] = ()


CHECK_IN = Action("Check in: how you are feeling", ("checkin",))
REFLECT = Action("Write a reflection", ("reflect",))
MY_TASKS = Action("My tasks", ("task", "mine"))
MY_SESSIONS = Action("My sessions", ("session", "list", "--mine"))
OPEN_ALERTS = Action("Open wellbeing alerts", ("wellbeing", "alerts", "--open"))
TO_PREPARE = Action("Sessions to prepare", ("session", "list", "--status", "planned"))
DASHBOARD = Action("The dashboard: how the study is going", ("status",))
PEOPLE = Action("People and their onboarding", ("people", "list"))
RECENT = Action("Recent changes", ("log", "--limit", "10"))
DOCTOR = Action("Check the study for problems", ("doctor",))
FINDINGS = Action("Findings and key messages", ("findings", "list"))
SYNC = Action("Sync: share your work with the team, and get theirs", ("sync",))
JOIN = Action("Join this study from this computer", ("join",))
START = Action(
    "Start a new study", ("init",), asks=("A name for the new study's folder (e.g. my-study)",)
)
COPY = Action(
    "Copy your team's study to this computer",
    ("clone",),
    asks=(
        "The address of your team's study (your coordinator can give it to you)",
        "A name for the folder of your copy (e.g. our-study)",
    ),
)

# Role -> what that role does most, in the order the menu lists them. A person with
# several roles sees each role's lines once, then what everyone does.
BY_ROLE: tuple[tuple[str, tuple[Action, ...]], ...] = (
    ("co-researcher", (CHECK_IN, REFLECT, MY_TASKS, MY_SESSIONS)),
    ("co-applicant", (CHECK_IN, REFLECT, MY_TASKS, MY_SESSIONS)),
    ("wellbeing-lead", (OPEN_ALERTS, TO_PREPARE)),
    ("safeguarding-lead", (TO_PREPARE,)),
    ("coordinator", (DASHBOARD, PEOPLE, RECENT, DOCTOR)),
    ("ppi-lead", (FINDINGS,)),
)
FOR_EVERYONE = (MY_TASKS, SYNC)

SUPPORT_KEYS = ("s", "?")
HOW_TO_CHOOSE = "Type a number or letter, or use the arrow keys and press Enter."
AFTER = "Press Enter to go back to the menu, s for support, or q to leave."
GOODBYE = "Goodbye. Take care. You can get support at any time with: prosper-coop support"
NOTHING_DONE = "Nothing was done."


def fixed_choices() -> list[Choice]:
    """The lines every menu ends with: support, every command, leave."""
    from prosper_coop.cli.menu import Choice

    return [
        Choice("s", "Get support: people to talk to, free and confidential", also=("?",)),
        Choice("h", "All commands"),
        Choice("q", "Leave"),
    ]


# -- who is at the keyboard -------------------------------------------------------------
@dataclass(frozen=True)
class Visitor:
    """Who is at the keyboard, as far as this computer knows, and in which study."""

    looked_in: Path
    folder: Path | None = None  # the study folder (None: not in a study)
    person: str | None = None  # their study ID, once this computer knows it
    source: str = ""  # where that came from: PROSPER_COOP_AS or whoami
    in_study: bool = False  # that person is in the study
    joined: bool = False  # and has joined it on this computer
    roles: tuple[str, ...] = ()
    problem: UserError | None = None  # the study could not be read


def who_is_here(folder: Path | None) -> Visitor:
    """Who is acting in the study at or above ``folder`` (else here), never an error."""
    from prosper_coop.cli.common import open_study, set_study_dir
    from prosper_coop.core import localconfig
    from prosper_coop.core.errors import NotJoinedError, UserError
    from prosper_coop.core.records import get
    from prosper_coop.core.study import find_root, start_folder

    looked_in = start_folder(folder)
    root = find_root(looked_in)
    if root is None:
        return Visitor(looked_in)
    set_study_dir(root)
    try:
        study = open_study()
        acting = study.acting()
        person = study.actor(must_exist=False)  # checks the form of the ID
        people = get("person")
        if not study.exists(people, person):
            return Visitor(looked_in, root, person, acting.source)
        roles = tuple(str(role) for role in study.load(people, person).roles)
        joined = person in localconfig.joined_here(study.uid_and_default_actor()[0])
    except NotJoinedError:
        return Visitor(looked_in, root)
    except UserError as exc:
        return Visitor(looked_in, root, problem=exc)
    return Visitor(looked_in, root, person, acting.source, True, joined, roles)


def actions_for(visitor: Visitor) -> list[Action]:
    """What the menu offers this visitor, each command line once."""
    if visitor.folder is None:
        return [COPY, START]
    if visitor.problem is not None:
        return [DOCTOR]
    if not visitor.in_study:
        return [JOIN]
    if not visitor.joined:
        assert visitor.person is not None
        return [Action(f"Join this study as {visitor.person}", ("join", visitor.person))]
    found: list[Action] = []
    for role, actions in BY_ROLE:
        if role in visitor.roles:
            found += actions
    found += FOR_EVERYONE
    unique: dict[tuple[str, ...], Action] = {}
    for action in found:
        unique.setdefault(action.argv, action)
    return list(unique.values())


def introduction(visitor: Visitor, *, again: bool) -> list[str]:
    """The words above the menu: a greeting, and where things stand."""
    from prosper_coop.cli.terminal import visible

    person = visible(visitor.person or "", newlines=False)
    if visitor.folder is None:
        return [
            "Hello. There is no prosper-coop study in this folder "
            f"({visible(str(visitor.looked_in), newlines=False)}).",
            "If your team has a study, you can copy it to this computer. Or go to its "
            "folder and run prosper-coop again. You can also start a new study.",
        ]
    if visitor.problem is not None:
        lines = [f"Hello. This study could not be opened just now: {visitor.problem}."]
        return [*lines, visitor.problem.hint] if visitor.problem.hint else lines
    if visitor.person is None:
        return [
            "Hello. This computer does not know who you are in this study yet.",
            "That is fine: joining takes one step. Your coordinator can tell you your study ID.",
        ]
    if not visitor.in_study:
        return [
            f"Hello. This computer has you as {person} (from {visitor.source}), but "
            "there is nobody with that study ID in this study.",
            "If you are new, your coordinator can add you and tell you your study ID. "
            "Then you can join.",
        ]
    if not visitor.joined:
        return [
            f"Hello {person}. You have not joined this study on this computer yet, so "
            "nothing can be saved in your name here.",
            "Joining takes one step, and you can do it now.",
        ]
    if again:
        return ["What would you like to do next?"]
    return [f"Hello {person}.", "What would you like to do?"]


# -- the home screen --------------------------------------------------------------------
def run_command(words: Sequence[str]) -> int:
    """Run one prosper-coop command line in this process, as typing it would; its exit code."""
    from prosper_coop.cli.app import build_app

    argv = list(words)
    try:
        build_app(argv)(args=argv, prog_name="prosper-coop")
    except SystemExit as stopped:
        code = stopped.code
        return code if isinstance(code, int) else int(code is not None)
    return 0


def wrap(text: str, width: int) -> list[str]:
    """``text`` as lines of at most ``width`` columns, never breaking a word or an ID."""
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)


def _width() -> int:
    """How wide to lay text out: the terminal's width, between 40 and 100 columns."""
    import shutil

    return max(40, min(100, shutil.get_terminal_size((80, 24)).columns))


class HomeScreen:
    """The menu loop: show, choose, run, wait; until the person leaves."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.out = output()

    def say(self, text: str = "") -> None:
        """Write a line now (a plain line: nothing is redrawn or coloured)."""
        self.out.line(text)
        sys.stdout.flush()

    def _say_wrapped(self, text: str) -> None:
        for line in wrap(text, _width() - 1) or [""]:
            self.say(line)

    def run(self) -> int:
        """Show the menu until the person leaves; the exit code (0)."""
        from prosper_coop.cli.menu import choose

        again = False
        while True:
            visitor = who_is_here(self.folder)
            actions = actions_for(visitor)
            choices = self._choices(actions)
            self.say()
            for line in introduction(visitor, again=again):
                self._say_wrapped(line)
            again = True
            for choice in choices:
                self.say(f"  {choice.line()}")
            picked = choose(choices, HOW_TO_CHOOSE, self.say)
            if picked is None or picked.key == "q":
                self.say(GOODBYE)
                return 0
            self.say()
            if picked.key == "s":
                self.run_words(["support"])
            elif picked.key == "h":
                self.run_words(["help"])
            elif not self.do(actions[int(picked.key) - 1]):
                continue  # nothing ran: straight back to the menu
            if not self.wait():
                self.say(GOODBYE)
                return 0

    @staticmethod
    def _choices(actions: Sequence[Action]) -> list[Choice]:
        from prosper_coop.cli.menu import Choice

        numbered = [Choice(str(number), a.label) for number, a in enumerate(actions, 1)]
        return [*numbered, *fixed_choices()]

    def _prefix(self) -> list[str]:
        return [] if self.folder is None else ["--study", str(self.folder)]

    def run_words(self, words: Sequence[str]) -> int:
        """Run a command line in this study; its exit code (its errors are already said)."""
        return run_command([*self._prefix(), *words])

    def do(self, action: Action) -> bool:
        """Run what a menu line offers, asking first for what it needs; whether it ran."""
        answers: list[str] = []
        for question in action.asks:
            try:
                answer = typer.prompt(question, default="", show_default=False).strip()
            except typer.Abort:
                answer = ""
            if not answer:
                self.say(NOTHING_DONE)
                return False
            answers.append(answer)
        words = [*action.argv, "--", *answers] if answers else list(action.argv)
        code = self.run_words(words)
        if code == 0 and answers and (Path(answers[-1]) / "study.yaml").is_file():
            # A study was just made or copied here: the menu goes on in it.
            self.folder = Path(answers[-1]).resolve()
        return True

    def wait(self) -> bool:
        """After a command: True to show the menu again, False to leave."""
        from prosper_coop.cli.menu import END, wait_for_key

        while True:
            self.say()
            key = wait_for_key(AFTER, self.say)
            if key == END or key.lower() == "q":
                return False
            if key.lower() not in SUPPORT_KEYS:
                return True
            self.say()
            self.run_words(["support"])


# -- when there is nobody to ask -------------------------------------------------------
SHORT_HELP = """\
prosper-coop helps a team do a research study together, in a shared study folder.

Most used:
  prosper-coop checkin     Check in: how you are feeling.
  prosper-coop reflect     Write a reflection (private unless you share it).
  prosper-coop task mine   Your tasks.
  prosper-coop sync        Share your work with the team, and get theirs.
  prosper-coop support     Where to get support, free and confidential.

Every command, grouped by what it is for: prosper-coop help
At a terminal, prosper-coop on its own opens a menu of what you do most."""


def at_a_terminal() -> bool:
    """Whether a person is at a terminal: both what they type and what they see."""
    from prosper_coop.cli.private_input import has_terminal

    try:
        return has_terminal() and sys.stdout.isatty()
    except ValueError:  # closed
        return False


def home() -> None:
    """``prosper-coop`` on its own: the home screen at a terminal, else a short help."""
    from prosper_coop.cli.common import study_dir

    if not at_a_terminal():
        output().line(SHORT_HELP)
        return
    code = HomeScreen(study_dir()).run()
    if code:
        raise typer.Exit(code)


# -- prosper-coop help ------------------------------------------------------------------
# Sections of ``prosper-coop help``, in order; commands not named here come last.
HELP_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Every day", ("checkin", "reflect", "task", "session", "support", "sync", "status")),
    ("Joining, and your keys", ("join", "whoami", "clone", "keys")),
    ("Wellbeing and safety", ("wellbeing", "distress", "consent", "checklist", "onboard")),
    ("The team and the work", ("people", "wp", "permissions")),
    ("Recruitment and reports", ("site", "recruit", "participant", "survey", "report", "calendar")),
    ("Findings and outputs", ("findings", "rec", "render", "readability", "involve")),
    ("Looking after the study", ("init", "log", "doctor", "save", "schema", "remote", "resolve")),
)
OTHER_SECTION = "More commands"
HELP_INTRO = "prosper-coop helps a team do a research study together, in a shared study folder."
HELP_FOOTER = (
    "More about one command: prosper-coop help COMMAND (for example: prosper-coop help task).",
    "At a terminal, prosper-coop on its own opens a menu of what you do most.",
    "If you need support now: prosper-coop support",
)


def summary(help_text: str) -> str:
    """The first paragraph of a command's help, on one line."""
    return " ".join(help_text.strip().split("\n\n", 1)[0].split())


def grouped_help(helps: dict[str, str], width: int) -> str:
    """Every command in ``helps`` (name -> help) once, in sections, descriptions whole."""
    names = [name for name in helps if name != "help"]
    placed = {name for _, members in HELP_SECTIONS for name in members}
    sections = [*HELP_SECTIONS, (OTHER_SECTION, tuple(n for n in names if n not in placed))]
    column = max(len(name) for name in names) + 2
    lines = [*wrap(HELP_INTRO, width - 1), ""]
    for title, members in sections:
        present = [name for name in members if name in names]
        if not present:
            continue
        lines.append(f"{title}:")
        for name in present:
            described = wrap(summary(helps[name]), max(20, width - 3 - column)) or [""]
            lines.append(f"  {name.ljust(column)}{described[0]}")
            lines += [f"  {' ' * column}{more}" for more in described[1:]]
        lines.append("")
    for line in HELP_FOOTER:
        lines += wrap(line, width - 1)
    return "\n".join(lines)


def help_(
    command: Annotated[
        list[str] | None,
        typer.Argument(
            help="A command, and a sub-command if you like (e.g. task add).", show_default=False
        ),
    ] = None,
) -> None:
    """Show every command, grouped by what it is for; or all about one command.

    Example: prosper-coop help checkin
    """
    from prosper_coop.cli.app import ALIASES, command_helps
    from prosper_coop.core.errors import InvalidInputError

    helps = command_helps()
    if not command:
        output().line(grouped_help(helps, _width()))
        return
    words = [ALIASES.get(command[0], command[0]), *command[1:]]
    if words[0] not in helps:
        import difflib

        close = difflib.get_close_matches(words[0], [name for name in helps if name != "help"], 1)
        raise InvalidInputError(
            f"there is no command called {words[0]!r}",
            (f"Did you mean: prosper-coop help {close[0]}? " if close else "")
            + "See every command with: prosper-coop help",
        )
    code = run_command([*words, "--help"])
    if code:
        raise typer.Exit(code)
