"""Where a key's passphrase comes from: a prompt at a terminal, or a file named in
``PROSPER_COOP_PASSPHRASE_FILE`` when there is no terminal (scripts, pipes, cron).

The passphrase itself is never taken from the command line or the environment: both
are seen by other programs (``ps``, child processes, logs). The file must be readable
only by its owner (``chmod 600``); its first line is the passphrase.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from prosper_coop.core.errors import KeyProblemError

PASSPHRASE_FILE_ENV = "PROSPER_COOP_PASSPHRASE_FILE"
# The old way, no longer read: a passphrase in the environment reaches every program
# started from it (git, an editor) and any log of the environment.
PASSPHRASE_ENV = "PROSPER_COOP_PASSPHRASE"
MAX_FILE_BYTES = 4096
HOW = (
    f"Type it in a terminal, or put it on the first line of a file only you can read "
    f"(chmod 600 FILE) and name that file in {PASSPHRASE_FILE_ENV}, e.g. "
    f"{PASSPHRASE_FILE_ENV}=~/.config/prosper-coop/passphrase prosper-coop reflect list"
)


def _refuse_old_setting() -> None:
    if os.environ.get(PASSPHRASE_ENV):
        raise KeyProblemError(
            f"{PASSPHRASE_ENV} is no longer read: a passphrase in the environment can be "
            "seen by other programs",
            f"Unset it, and name a file holding the passphrase in {PASSPHRASE_FILE_ENV} "
            "instead (readable only by you: chmod 600 FILE).",
        )


def read_passphrase_file(path: Path) -> str:
    """The passphrase on the first line of ``path``, a file only its owner can read."""
    where = f"{PASSPHRASE_FILE_ENV} ({path})"
    try:
        info = path.stat()
        if not path.is_file():
            raise KeyProblemError(f"{where} is not a file", HOW)
        if info.st_mode & 0o077 or info.st_uid != os.getuid():
            raise KeyProblemError(
                f"{where} can be read by other people on this computer",
                f"Make it yours alone with: chmod 600 {path}",
            )
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise KeyProblemError(f"cannot read {where}: {exc.strerror}", HOW) from None
    if len(data) > MAX_FILE_BYTES:
        raise KeyProblemError(f"{where} is too long to hold a passphrase", HOW)
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise KeyProblemError(f"{where} is not UTF-8 text", HOW) from None
    if not lines or not lines[0]:
        raise KeyProblemError(f"{where} is empty: its first line should be the passphrase", HOW)
    return lines[0]


def _from_file() -> str | None:
    _refuse_old_setting()
    named = os.environ.get(PASSPHRASE_FILE_ENV)
    return read_passphrase_file(Path(named).expanduser()) if named else None


def _no_terminal(why: str) -> KeyProblemError:
    return KeyProblemError(f"{why}, and there is no terminal to type it in", HOW)


def ask_passphrase(prompt: str) -> str:
    """The passphrase of a key: from the file, else asked at the terminal (not shown)."""
    given = _from_file()
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise _no_terminal("your key is protected by a passphrase")
    return _prompt(prompt, confirm=False)


def new_passphrase(prompt: str = "Choose a passphrase for your key") -> str:
    """A passphrase to protect a key with: from the file, else typed twice at the terminal."""
    given = _from_file()
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise _no_terminal("a passphrase for your key is needed")
    return _prompt(prompt, confirm=True)


def _prompt(prompt: str, *, confirm: bool) -> str:
    """Ask at the terminal without showing what is typed; Ctrl-C or Ctrl-D stops calmly."""
    try:
        value: str = typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True)
    except typer.Abort:
        raise KeyboardInterrupt from None
    return value
