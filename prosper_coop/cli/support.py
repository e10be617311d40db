"""``prosper-coop support``: where to get help. Works anywhere, with no set-up.

Also holds the small helpers other wellbeing commands share: showing support
details at once, asking for a passphrase, and writing text in an editor without
leaving a copy on disk.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from prosper_coop.cli.common import AsJson, output

if TYPE_CHECKING:
    import subprocess

    from prosper_coop.core.study import Study
    from prosper_coop.crypto.sealed import Keyring
    from prosper_coop.wellbeing.config import Signposting


def register(app: typer.Typer) -> None:
    """Add ``support`` to the root app."""
    app.command()(support)


def _study_root() -> Path | None:
    """The study folder if we are in one; never an error (support works anywhere)."""
    from prosper_coop.cli.common import study_dir
    from prosper_coop.core.study import find_root, start_folder

    try:
        return find_root(start_folder(study_dir()))
    except OSError:
        return None


def support_text(info: Signposting) -> str:
    """The support details as plain text (no colour, readable anywhere)."""
    lines = [info.title, ""]
    if info.intro:
        lines += [info.intro.strip(), ""]
    for service in info.services:
        lines.append(f"  {service.name}")
        lines.append(f"      {service.contact}")
        detail = " ".join(
            part for part in (service.when, f"({service.hours})" if service.hours else "") if part
        )
        if detail:
            lines.append(f"      {detail}")
        if service.note:
            lines.append(f"      {service.note}")
    return "\n".join(lines)


def load_support(root: Path | None) -> Signposting:
    """The study's support details; the shipped ones if the study's copy cannot be read."""
    from prosper_coop.core.errors import UserError
    from prosper_coop.wellbeing.config import signposting

    try:
        return signposting(root)
    except UserError:
        if root is None:
            raise
        return signposting(None)


def show_support_now(root: Path | None) -> None:
    """Show support details on the terminal at once (never hidden by --quiet or --json).

    Written straight to stderr, before anything slow is imported or done.
    """
    from prosper_coop.cli.terminal import visible

    text = visible(support_text(load_support(root)))
    sys.stderr.write("\n" + text + "\n\n")
    sys.stderr.flush()


def support(as_json: AsJson = False) -> None:
    """Show where to get support: helplines and services, free and confidential.

    Works anywhere, even outside a study and before any set-up.

    Example: prosper-coop support
    """
    out = output(as_json)
    info = load_support(_study_root())
    if as_json:
        out.json(info.as_dict())
        return
    out.line(support_text(info))


# -- helpers shared by the wellbeing commands ---------------------------------------
def ask_passphrase(prompt: str) -> str:
    """Ask for a passphrase without showing it (see :mod:`prosper_coop.cli.passphrase`)."""
    from prosper_coop.cli import passphrase

    return passphrase.ask_passphrase(prompt)


def keyring(study: Study) -> Keyring:
    """The acting person's key, asking for a passphrase when it is protected."""
    from prosper_coop.crypto.sealed import Keyring

    return Keyring(study, ask_passphrase)


# Drafts written in an editor: ``prosper-coop-<pid>-<random>.txt``, so that a draft
# left by a process that died (killed outright) can be found and removed later.
DRAFT_PREFIX = "prosper-coop-"
DRAFT_NAME = r"prosper-coop-(\d+)-[A-Za-z0-9_]+\.txt"
# Signals that end the command while the editor is open: the draft is removed first.
ENDING_SIGNALS = ("SIGHUP", "SIGTERM")
# Signals a terminal sends to the editor as well: the editor decides (as git does).
EDITOR_SIGNALS = ("SIGINT", "SIGQUIT")


def editor_chosen() -> bool:
    """Whether the person has chosen a text editor (the ``VISUAL`` or ``EDITOR`` variable)."""
    return any(os.environ.get(name, "").strip() for name in ("VISUAL", "EDITOR"))


def _editor_command() -> list[str]:
    import shlex
    import shutil

    from prosper_coop.core.errors import InvalidInputError

    chosen = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    command = shlex.split(chosen) if chosen else None
    if command is None:
        found = next((name for name in ("nano", "vi") if shutil.which(name)), None)
        command = [found] if found else None
    if not command:
        raise InvalidInputError(
            "no text editor was found to write your reflection in",
            "Pipe the text in (prosper-coop reflect < reflection.txt), or set the EDITOR "
            "variable (e.g. EDITOR=nano).",
        )
    return command


def draft_folders() -> list[Path]:
    """Where drafts are kept: memory-backed ``/dev/shm`` when usable, else the temp folder."""
    import tempfile

    shm = Path("/dev/shm")
    folders = [shm] if shm.is_dir() and os.access(shm, os.W_OK) else []
    return [*folders, Path(tempfile.gettempdir())]


def _wipe(path: Path) -> None:
    """Overwrite a draft with zeros, then remove it (never following a link)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            size = os.fstat(fd).st_size
            os.write(fd, b"\0" * size)
            os.fsync(fd)
        finally:
            os.close(fd)
    with contextlib.suppress(OSError):
        path.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale_drafts() -> list[Path]:
    """Remove this user's drafts whose process is gone (it was killed outright); which."""
    import re

    removed: list[Path] = []
    for folder in draft_folders():
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            found = re.fullmatch(DRAFT_NAME, entry.name)
            if found is None or int(found.group(1)) == os.getpid():
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if info.st_uid == os.getuid() and not _alive(int(found.group(1))):
                _wipe(Path(entry.path))
                removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def _draft_removed_on_signals(path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Remove ``path`` if a hang-up or termination ends the command while it exists.

    The handler wipes the draft, passes the signal on to the editor, and then
    ends this process by the same signal (as if there were no handler). Ctrl-C
    and Ctrl-\\ go to the editor too, from the terminal; while it is open they
    are left to it (an editor such as vim uses them), and the draft is removed
    when it closes. Yields a list the caller puts the editor's process in.
    """
    import signal

    editors: list[subprocess.Popen[bytes]] = []

    def remove_and_end(signum: int, _frame: object) -> None:
        for editor in editors:
            with contextlib.suppress(OSError):
                editor.send_signal(signum)
        _wipe(path)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    def leave_to_editor(_signum: int, _frame: object) -> None:
        """A handler that does nothing (unlike SIG_IGN, the editor does not inherit it)."""

    previous: dict[int, Any] = {}
    try:
        for name in ENDING_SIGNALS + EDITOR_SIGNALS:
            number = getattr(signal, name, None)
            if number is not None:
                handler = remove_and_end if name in ENDING_SIGNALS else leave_to_editor
                previous[number] = signal.signal(number, handler)
    except ValueError:  # not the main thread: signals cannot be handled here
        pass
    try:
        yield editors
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def write_in_editor(initial: str = "") -> str:
    """Let the person write in ``$EDITOR``; return what they wrote.

    The draft is kept in memory-backed storage where possible, readable only by
    them, and wiped and removed afterwards: also when the command is ended by a
    hang-up or ``kill`` while the editor is open, and, for a draft left by a
    process killed outright, by the next command that writes in an editor.
    """
    import subprocess
    import tempfile

    from prosper_coop.core.errors import InvalidInputError

    remove_stale_drafts()
    command = _editor_command()
    folder = draft_folders()[0]
    fd, name = tempfile.mkstemp(prefix=f"{DRAFT_PREFIX}{os.getpid()}-", suffix=".txt", dir=folder)
    path = Path(name)
    try:
        with _draft_removed_on_signals(path) as editors:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(initial)
            try:
                editor = subprocess.Popen([*command, str(path)])
            except OSError:
                code = 1
            else:
                editors.append(editor)
                code = editor.wait()
            if code != 0:
                raise InvalidInputError(
                    f"the editor ({command[0]}) did not finish normally, so nothing was saved",
                    "Try again, or pipe the text in: prosper-coop reflect < reflection.txt",
                )
            return path.read_text(encoding="utf-8")
    finally:
        _wipe(path)
