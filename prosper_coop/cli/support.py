"""``prosper-coop support``: where to get help. Works anywhere, with no set-up.

Also holds the small helpers other wellbeing commands share: showing support
details at once, asking for a passphrase, and writing text in an editor without
leaving a copy on disk.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from prosper_coop.cli.common import AsJson, output

if TYPE_CHECKING:
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
    text = support_text(load_support(root))
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
    """Ask for a passphrase without showing it."""
    value: str = typer.prompt(prompt, hide_input=True, err=True)
    return value


def keyring(study: Study) -> Keyring:
    """The acting person's key, asking for a passphrase when it is protected."""
    from prosper_coop.crypto.sealed import Keyring

    return Keyring(study, ask_passphrase)


def _run_editor(path: Path) -> None:
    import shlex
    import shutil
    import subprocess

    from prosper_coop.core.errors import InvalidInputError

    chosen = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    command = shlex.split(chosen) if chosen else None
    if command is None:
        found = next((name for name in ("nano", "vi") if shutil.which(name)), None)
        command = [found] if found else None
    if not command:
        raise InvalidInputError(
            "no text editor was found to write your reflection in",
            "Give the text with --text '...', or set the EDITOR variable (e.g. EDITOR=nano).",
        )
    try:
        code = subprocess.call([*command, str(path)])
    except OSError:
        code = 1
    if code != 0:
        raise InvalidInputError(
            f"the editor ({command[0]}) did not finish normally, so nothing was saved",
            "Try again, or give the text with --text '...'.",
        )


def write_in_editor(initial: str = "") -> str:
    """Let the person write in ``$EDITOR``; the draft is kept in memory-backed storage
    where possible, readable only by them, and removed afterwards."""
    import tempfile

    shm = Path("/dev/shm")
    folder = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    fd, name = tempfile.mkstemp(prefix="prosper-coop-", suffix=".txt", dir=folder)
    path = Path(name)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(initial)
        _run_editor(path)
        return path.read_text(encoding="utf-8")
    finally:
        with contextlib.suppress(OSError):
            size = path.stat().st_size
            with path.open("r+b") as handle:
                handle.write(b"\0" * size)
        path.unlink(missing_ok=True)
