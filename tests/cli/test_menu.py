"""The menu's key reader: arrow keys, Enter, numbers and letters, read from a real file descriptor."""

from __future__ import annotations

import contextlib
import os
import pty
import termios
from collections.abc import Iterator

import pytest

from prosper_coop.cli import menu
from prosper_coop.cli.menu import DOWN, END, ENTER, OTHER, UP, Choice


@pytest.fixture
def keys() -> Iterator[tuple[int, int]]:
    """A pipe: write keys to the second end, read them from the first."""
    read_end, write_end = os.pipe()
    yield read_end, write_end
    for fd in (read_end, write_end):
        with contextlib.suppress(OSError):
            os.close(fd)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (b"\x1b[A", [UP]),
        (b"\x1b[B", [DOWN]),
        (b"\x1bOA\x1bOB", [UP, DOWN]),  # the keys in "application" mode
        (b"\r\n", [ENTER, ENTER]),
        (b"3s?", ["3", "s", "?"]),
        (b"\x1b[1;5C", [OTHER]),  # Ctrl+Right: one key that means nothing here
        (b"\x1b", [OTHER]),  # Escape on its own
        ("é".encode(), ["é"]),
        (b"\x04", [END]),  # Ctrl-D
    ],
    ids=["up", "down", "application-mode", "enter", "plain", "other", "escape", "utf8", "ctrl-d"],
)
def test_keys_are_read_one_at_a_time(
    keys: tuple[int, int], typed: bytes, expected: list[str]
) -> None:
    read_end, write_end = keys
    os.write(write_end, typed)
    assert [menu.read_key(read_end) for _ in expected] == expected


def test_a_closed_input_ends_the_menu(keys: tuple[int, int]) -> None:
    read_end, write_end = keys
    os.close(write_end)
    assert menu.read_key(read_end) == END


CHOICES = [Choice(str(n), f"Item {n}") for n in range(1, 12)] + [
    Choice("s", "Get support", also=("?",)),
    Choice("q", "Leave"),
]


@pytest.mark.parametrize(
    ("typed", "chosen"),
    [
        (b"1\r", "1"),  # 1 could begin 10 or 11: waits for the next digit or Enter...
        (b"7", "7"),  # ...while 7 cannot, so it is chosen at once
        (b"11", "11"),
        (b"\x1b[B\x1b[B\x1b[A\r", "1"),
        (b"\x1b[A\r", "q"),  # up from nothing: the last line
        (b"x\r?", "s"),  # a key that means nothing, Enter with nothing chosen, then ?
        (b"S", "s"),
    ],
)
def test_choosing_by_keys(keys: tuple[int, int], typed: bytes, chosen: str) -> None:
    read_end, write_end = keys
    os.write(write_end, typed)
    said: list[str] = []
    found = menu._by_keys(CHOICES, said.append, read_end)
    assert found is not None and found.key == chosen, said
    assert all("\x1b" not in line for line in said)


def test_arrow_keys_say_each_line_they_reach_as_a_new_line(keys: tuple[int, int]) -> None:
    read_end, write_end = keys
    os.write(write_end, b"\x1b[B\x1b[B\x1b[B\x1b[A\r")
    said: list[str] = []
    found = menu._by_keys(CHOICES[:2] + CHOICES[-2:], said.append, read_end)
    assert found == CHOICES[1]
    assert said == [
        "> 1. Item 1   (Enter to choose)",
        "> 2. Item 2   (Enter to choose)",
        "> s. Get support   (Enter to choose)",
        "> 2. Item 2   (Enter to choose)",
    ]


def test_without_a_terminal_keys_are_not_read_one_at_a_time(keys: tuple[int, int]) -> None:
    read_end, _ = keys
    with menu.keys_one_at_a_time(read_end) as one_at_a_time:
        assert one_at_a_time is False


def test_the_terminal_is_put_back_as_it_was_with_keys_typed_ahead_kept() -> None:
    """Keys typed after the choice (the next answer) are left for whatever reads next."""
    main, secondary = pty.openpty()
    try:
        before = termios.tcgetattr(secondary)
        os.write(main, b"1" + b"3\n")
        with menu.keys_one_at_a_time(secondary) as one_at_a_time:
            assert one_at_a_time
            lflag = termios.tcgetattr(secondary)[3]
            assert not lflag & (termios.ECHO | termios.ICANON)
            assert menu.read_key(secondary) == "1"
        assert termios.tcgetattr(secondary) == before
        assert os.read(secondary, 100) == b"3\n"  # a whole line again, as typed
    finally:
        os.close(main)
        os.close(secondary)
