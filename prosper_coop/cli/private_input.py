"""Sensitive text is typed at a prompt or piped in on stdin, never given as an option.

Whatever is on a command line can be read by anyone using the same computer while
the command runs (``ps``, ``/proc/PID/cmdline``), and shells keep it in their
history. Real names, contact details, notes about someone's wellbeing or distress,
and reflections are therefore asked for at a prompt when there is a terminal, and
read from stdin when there is not (a pipe or a file, for scripts).

The old options are kept, hidden, only to refuse with a message saying how to give
the text instead (:func:`refuse_options`).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Mapping
from typing import Annotated, Any

import typer

from prosper_coop.core.errors import InvalidInputError, ValidationError

# Text read from stdin is at most this long (a YAML file is at most 1 MB too).
MAX_STDIN_CHARS = 1_000_000
STDIN = "stdin"
SEEN_BY_OTHERS = (
    "is not taken on the command line: anyone using this computer can see a command's "
    "options while it runs, and your shell keeps them in its history"
)


def hidden_option(name: str, *aliases: str) -> Any:
    """A hidden option that only exists to refuse a value given on the command line."""
    return typer.Option(name, *aliases, hidden=True, show_default=False)


HiddenText = Annotated[str | None, hidden_option("--text", "-t")]


def refuse_options(given: Mapping[str, object], how: str) -> None:
    """Refuse any of ``given`` (option name -> value) that was used; ``how`` says what to do.

    Called first thing in a command, before anything is read or saved.
    """
    used = [name for name, value in given.items() if value not in (None, False)]
    if used:
        raise InvalidInputError(f"{used[0]} {SEEN_BY_OTHERS}", f"Nothing was saved. {how}")


def has_terminal() -> bool:
    """Whether stdin is a terminal a person can type at (else it is a pipe or a file)."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except ValueError:  # closed
        return False


def read_stdin(what: str) -> str:
    """All of stdin as text (``what`` names it in messages)."""
    text = sys.stdin.read(MAX_STDIN_CHARS + 1) if sys.stdin is not None else ""
    if len(text) > MAX_STDIN_CHARS:
        raise InvalidInputError(
            f"{what} on stdin is too long (the limit is {MAX_STDIN_CHARS} characters)",
            "Nothing was saved. Give a shorter text.",
        )
    return text


def read_stdin_fields(fields: Mapping[str, str], what: str, example: str) -> dict[str, str]:
    """Lines of ``name: value`` on stdin, for some of ``fields`` (name -> question).

    The value is the rest of the line, as written (a colon in it is kept; quotes
    are not taken away); indented lines below continue it. Names may be written
    with ``-`` or ``_`` (``what-helps`` or ``what_helps``). Empty values are left out.
    """
    return parse_fields(read_stdin(what), fields, what, example)


def parse_fields(text: str, fields: Mapping[str, str], what: str, example: str) -> dict[str, str]:
    """``name: value`` lines (see :func:`read_stdin_fields`) as a mapping."""
    names = {_plain(name): name for name in fields}
    found: dict[str, list[str]] = {}
    current: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            if current is not None:
                found[current].append("")
            continue
        if line[0] in " \t" and current is not None:
            found[current].append(line.strip())
            continue
        name, sep, value = line.partition(":")
        key = names.get(_plain(name), "")
        if not sep or not key or key in found:
            known = ", ".join(fields)
            problem = f"{key} is given twice" if key in found else f"expected one of: {known}"
            raise ValidationError(
                f"{what} on stdin, line {number}: {problem} (lines of name: value; "
                "indent a line to continue the one above)",
                f"Nothing was saved. For example: {example}",
                file=STDIN,
                line=number,
            )
        found[key] = [value.strip()]
        current = key
    values = {key: "\n".join(lines).strip() for key, lines in found.items()}
    return {key: value for key, value in values.items() if value}


def _plain(name: str) -> str:
    """A field name as compared: ``What-Helps`` and ``what_helps`` are the same."""
    return name.strip().lower().replace("-", "_")


def ask(question: str, *, default: str = "") -> str:
    """Ask one question at the terminal (Enter gives ``default``)."""
    answer: str = typer.prompt(question, default=default, show_default=bool(default), err=True)
    return answer


def ask_or_read_fields(
    fields: Mapping[str, str], what: str, example: str, current: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Each of ``fields`` asked at the terminal, or read from stdin as YAML without one.

    At the terminal, Enter keeps the ``current`` value (or leaves the field out).
    """
    if not has_terminal():
        return read_stdin_fields(fields, what, example)
    current = current or {}
    answers: dict[str, str] = {}
    for name, question in fields.items():
        answer = ask(question, default=current.get(name, ""))
        if answer.strip():
            answers[name] = answer
    return answers


def ask_or_read_text(question: str, what: str) -> str:
    """One text asked at the terminal, or all of stdin without one."""
    if has_terminal():
        return ask(question)
    return read_stdin(what)


# -- answers typed at the terminal, kept only in memory ----------------------------------
# What a terminal sends for keys that are not text (arrows, function keys), and other
# control characters: left out of a typed answer (a tab is kept).
_KEY_SEQUENCES = r"\x1b\[[0-?]*[ -/]*[@-~]|\x1bO.|\x1b."


def say(text: str) -> None:
    """Show a line of a conversation at the terminal (stderr; never hidden by --quiet)."""
    from prosper_coop.cli.terminal import visible

    sys.stderr.write(visible(text) + "\n")
    sys.stderr.flush()


def _clean(line: str) -> str:
    """A typed line without the control characters keys may have added to it."""
    import re
    import unicodedata

    line = re.sub(_KEY_SEQUENCES, "", line)
    return "".join(ch for ch in line if ch == "\t" or unicodedata.category(ch) != "Cc")


@contextlib.contextmanager
def line_editing() -> Iterator[None]:
    """Read answers in the terminal's own line mode (Backspace mends a line).

    Python's ``readline`` (arrow keys along a line) is not used here: while it
    handles keys, a Ctrl-C can be lost and the question then waits for ever. In the
    terminal's line mode every key is queued in order by the system, so Ctrl-C always
    stops and Ctrl-D always ends, and nothing typed is kept in any history.
    """
    yield


def typed_line() -> str:
    """One line typed at the terminal, cleaned of key codes.

    ``EOFError`` when the person presses Ctrl-D, ``KeyboardInterrupt`` at Ctrl-C. The
    line is read into memory only: nothing is written to a file.
    """
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return _clean(line.rstrip("\n"))


def ask_paragraph(question: str, *, limit: int) -> str:
    """An answer of one or more lines to ``question``; an empty line ends it.

    Enter straight away skips the question (""). At most ``limit`` characters are
    kept; the answer ends there, and the person is told.
    """
    say(question)
    lines: list[str] = []
    used = 0
    while True:
        line = typed_line()
        if not line.strip():
            return "\n".join(lines)
        if used + len(line) >= limit:
            lines.append(line[: max(limit - used, 0)])
            say("That is as long as an answer can be, so it ends here.")
            return "\n".join(lines)
        lines.append(line)
        used += len(line) + 1
