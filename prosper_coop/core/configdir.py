"""Where this user's prosper-coop settings and keys live (imports nothing of the study).

The config folder is ``PROSPER_COOP_CONFIG_DIR`` when set, else the platform's
user config folder. Signing keys for each study are in ``keys/signing/<uid>/``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

JOIN_HINT = (
    "Join the study from this computer with: prosper-coop join (your study coordinator "
    "can tell you your study ID). If you need support now: prosper-coop support"
)


def config_dir() -> Path:
    """The folder for local settings and private keys."""
    forced = os.environ.get("PROSPER_COOP_CONFIG_DIR")
    if forced:
        return Path(forced)
    if os.name == "posix" and not sys.platform.startswith("darwin"):
        # What platformdirs answers on Linux and BSD (the XDG rule), without its import cost:
        # every command tidies this folder (tidy).
        base = os.environ.get("XDG_CONFIG_HOME", "").strip()
        return Path(base if base else Path.home() / ".config") / "prosper-coop"
    import platformdirs

    return Path(platformdirs.user_config_dir("prosper-coop", appauthor=False))


SIGNING_FOLDER = "signing"


def signing_key_dir(study_uid: str) -> Path:
    """The folder of one study's private signing keys on this computer (0700)."""
    return config_dir() / "keys" / SIGNING_FOLDER / study_uid


def signing_key_path(study_uid: str, person: str) -> Path:
    """Where ``person``'s private signing key for one study is kept on this computer.

    The public half is beside it (``.pub``). Both are in the private keys folder (0700).
    """
    return signing_key_dir(study_uid) / person


def joined_here(study_uid: str) -> list[str]:
    """The people who have joined the study on this computer (their signing key is here)."""
    folder = signing_key_dir(study_uid)
    if not folder.is_dir():
        return []
    return sorted(
        path.name
        for path in folder.iterdir()
        if not path.name.startswith(".") and "." not in path.name and path.is_file()
    )
