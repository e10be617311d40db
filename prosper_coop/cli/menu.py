"""Choosing from a short menu at a terminal: a number or letter, or the arrow keys and Enter.

Made for screen readers as much as for eyes: everything is written as whole plain
lines, and nothing is redrawn, moved or coloured. Moving with an arrow key writes
the newly selected item as a new line ("> 2. Write a reflection   (Enter to
choose)"), and a choice is repeated as a line before anything runs.

Keys are read one at a time with the terminal's echo and line editing switched off
(standard library ``termios``; Ctrl-C still stops), and put back as they were
before anything else reads the terminal. Where that is not possible (no terminal,
another system), the person types the number or letter and presses Enter.
Standard library only: no prompt library is needed for this.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

UP = "<up>"
DOWN = "<down>"
ENTER = "<enter>"
END = "<end>"  # the input was closed (Ctrl-D)
OTHER = "<other>"  # a key that means nothing here (another escape sequence)

# How long to wait for the rest of an escape sequence after ESC (seconds).
ESCAPE_WAIT = 0.05
# The longest escape sequence read (longer ones are read in parts and ignored).
ESCAPE_LIMIT = 16


@dataclass(frozen=True)
class Choice:
    """One line of a menu: the key that chooses it, and what it does in plain words."""

    key: str
    label: str
    also: tuple[str, ...] = ()  # other keys that choose it (``?`` for support)

    def line(self) -> str:
        """How the choice is listed: ``1. Check in``."""
        return f"{self.key}. {self.label}"


@contextlib.contextmanager
def keys_one_at_a_time(fd: int) -> Iterator[bool]:
    """Read the terminal ``fd`` a key at a time, not echoed, while inside; yields whether
    that was possible (False: no terminal here, read whole lines instead).

    Ctrl-C still interrupts. The terminal is put back as it was on the way out,
    leaving unread keys for whatever reads next (``TCSADRAIN`` never discards them).
    """
    try:
        import termios
    except ImportError:  # not a POSIX system
        yield False
        return
    try:
        before = termios.tcgetattr(fd)
    except (termios.error, OSError, ValueError):
        yield False
        return
    keys = [*before[:6], list(before[6])]
    keys[3] = before[3] & ~(termios.ECHO | termios.ICANON)
    keys[6][termios.VMIN] = 1
    keys[6][termios.VTIME] = 0
    termios.tcsetattr(fd, termios.TCSADRAIN, keys)
    try:
        yield True
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, before)


def stdin_fd() -> int:
    """The file descriptor of standard input (-1 when it has none, as in a test runner)."""
    try:
        return sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):
        return -1


def _ready(fd: int, wait: float) -> bool:
    import select

    return bool(select.select([fd], [], [], wait)[0])


def read_key(fd: int) -> str:
    """One key from ``fd`` (read a key at a time): a character, or UP, DOWN, ENTER, END or OTHER."""
    first = os.read(fd, 1)
    if not first or first == b"\x04":  # closed, or Ctrl-D
        return END
    if first in (b"\r", b"\n"):
        return ENTER
    if first == b"\x1b":
        return _escape_sequence(fd)
    if first[0] >= 0x80:  # the first byte of a character written in several bytes
        rest = b""
        while len(rest) < 3 and _ready(fd, ESCAPE_WAIT):
            rest += os.read(fd, 1)
            with contextlib.suppress(UnicodeDecodeError):
                return (first + rest).decode("utf-8")
        return OTHER
    return first.decode("ascii", errors="replace")


def _escape_sequence(fd: int) -> str:
    """What follows ESC: UP or DOWN for the arrow keys (``ESC [ A``, ``ESC O B``), else OTHER."""
    if not _ready(fd, ESCAPE_WAIT):
        return OTHER  # ESC on its own
    kind = os.read(fd, 1)
    if kind not in (b"[", b"O"):
        return OTHER
    body = b""
    while len(body) < ESCAPE_LIMIT and _ready(fd, ESCAPE_WAIT):
        byte = os.read(fd, 1)
        body += byte
        if 0x40 <= byte[0] <= 0x7E:  # the final byte of the sequence
            break
    return {b"A": UP, b"B": DOWN}.get(body[-1:], OTHER) if body.isascii() else OTHER


def _step(selected: int | None, key: str, count: int) -> int:
    """The line an arrow key moves to: the first or last to begin with; never past either end."""
    if selected is None:
        return 0 if key == DOWN else count - 1
    return max(0, selected - 1) if key == UP else min(count - 1, selected + 1)


def _find(choices: Sequence[Choice], typed: str) -> Choice | None:
    typed = typed.strip().lower()
    for choice in choices:
        if typed and typed in (choice.key.lower(), *choice.also):
            return choice
    return None


def choose(
    choices: Sequence[Choice],
    prompt: str,
    write: Callable[[str], None],
    fd: int | None = None,
) -> Choice | None:
    """The choice the person makes, or None when they close the input (Ctrl-D).

    ``prompt`` (one line saying how to choose) is written once keys can be read, so
    nothing typed after it is lost or echoed. The choice made is written as a line.
    """
    fd = stdin_fd() if fd is None else fd
    with keys_one_at_a_time(fd) as one_at_a_time:
        if one_at_a_time:
            write(prompt)
            chosen = _by_keys(choices, write, fd)
        else:
            chosen = None
    if not one_at_a_time:
        write(prompt)
        chosen = _by_lines(choices, write)
    if chosen is not None:
        write(f"> {chosen.line()}")
    return chosen


def _again(choices: Sequence[Choice]) -> str:
    numbers = [choice.key for choice in choices if choice.key.isdigit()]
    letters = [choice.key for choice in choices if not choice.key.isdigit()]
    first = f"a number from 1 to {numbers[-1]}, " if numbers else ""
    return (
        f"Please type {first}or one of {', '.join(letters)}; "
        "or move with the arrow keys and press Enter."
    )


def _by_keys(choices: Sequence[Choice], write: Callable[[str], None], fd: int) -> Choice | None:
    selected: int | None = None
    typed = ""
    numbered = [choice for choice in choices if choice.key.isdigit()]
    while True:
        key = read_key(fd)
        if key == END:
            return None
        if key in (UP, DOWN):
            typed = ""
            selected = _step(selected, key, len(choices))
            write(f"> {choices[selected].line()}   (Enter to choose)")
        elif key == ENTER:
            found = _find(numbered, typed) if typed else None
            if found is not None:
                return found
            if selected is not None and not typed:
                return choices[selected]
            typed = ""
            write(_again(choices))
        elif key.isdigit():
            typed += key
            longer = [choice for choice in numbered if choice.key.startswith(typed)]
            found = _find(numbered, typed)
            if found is not None and len(longer) == 1:
                return found
            if not longer:
                write(f"There is no {typed} here. {_again(choices)}")
                typed = ""
            else:
                write(f"{typed} (type the next digit, or press Enter)")
        else:
            found = _find(choices, key) if key.isprintable() and len(key) == 1 else None
            if found is not None:
                return found
            typed = ""
            write(_again(choices))


def _by_lines(choices: Sequence[Choice], write: Callable[[str], None]) -> Choice | None:
    while True:
        line = sys.stdin.readline()
        if not line:
            return None
        found = _find(choices, line)
        if found is not None:
            return found
        write(_again(choices).split(";")[0] + ", then press Enter.")


def wait_for_key(prompt: str, write: Callable[[str], None], fd: int | None = None) -> str:
    """The next key pressed after ``prompt`` (a character, ENTER or END); a line's first
    character where keys cannot be read one at a time."""
    fd = stdin_fd() if fd is None else fd
    with keys_one_at_a_time(fd) as one_at_a_time:
        if one_at_a_time:
            write(prompt)
            return read_key(fd)
    write(prompt)
    line = sys.stdin.readline()
    if not line:
        return END
    return line.strip()[:1].lower() or ENTER
