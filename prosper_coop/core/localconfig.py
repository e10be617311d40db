"""Per-user settings kept outside every study (never in git), with 0600 permissions.

Lives in the user's config directory (``platformdirs``), or in
``PROSPER_COOP_CONFIG_DIR`` when set. Holds, per study (keyed by the study's
``uid``), who the user is in that study; :func:`local_actor` is how the command
line decides who acts (the library takes it as an argument).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prosper_coop.core.configdir import JOIN_HINT as JOIN_HINT
from prosper_coop.core.configdir import config_dir as config_dir
from prosper_coop.core.configdir import joined_here as joined_here
from prosper_coop.core.configdir import signing_key_path as signing_key_path
from prosper_coop.core.fsutil import atomic_write_text

if TYPE_CHECKING:
    from prosper_coop.core.study import Acting, Study

FILE_NAME = "settings.yaml"


def tidy() -> None:
    """Remove what killed writes left in the config folder and its keys folder.

    A half-written copy of a private key may be among them; it is as private as the
    key (mode 600), and goes the next time any command reads the local settings.
    """
    from prosper_coop.core.fsutil import remove_stale_temp_files

    folder = config_dir()
    remove_stale_temp_files(folder)
    remove_stale_temp_files(folder / "keys")


def _path() -> Path:
    return config_dir() / FILE_NAME


def load() -> dict[str, Any]:
    """All local settings (an empty mapping when none are saved yet)."""
    from prosper_coop.core import yamlio

    path = _path()
    tidy()
    if not path.exists():
        return {}
    data = yamlio.load_file(path)
    return data if isinstance(data, dict) else {}


def save(data: dict[str, Any]) -> None:
    """Write local settings atomically, readable only by the user."""
    from prosper_coop.core import yamlio

    directory = config_dir()
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    atomic_write_text(_path(), yamlio.dumps(data), mode=0o600)


def study_settings(study_uid: str) -> dict[str, Any]:
    """This user's settings for one study."""
    studies = load().get("studies") or {}
    entry = studies.get(study_uid) or {}
    return entry if isinstance(entry, dict) else {}


def set_study_setting(study_uid: str, key: str, value: Any) -> None:
    """Set one of this user's settings for one study."""
    data = load()
    studies = data.setdefault("studies", {})
    entry = studies.setdefault(study_uid, {})
    entry[key] = value
    save(data)


WHOAMI_HINT = (
    "Choose who you are with: prosper-coop whoami ID (one of the people who joined this "
    "study on this computer), or join it with: prosper-coop join"
)


def local_actor(study: Study) -> Acting:
    """Who acts on this computer: how the command line opens a study.

    ``PROSPER_COOP_AS`` wins, then ``prosper-coop whoami ID`` (a local setting that
    ``join`` makes). There is no default: with neither, :class:`NotJoinedError` says
    how to join. Pass it as ``Study(root, actor=local_actor)``; it is asked only when
    a command needs to know who acts. Whether that person may sign here is checked
    when a change is made (``Study.signing_key``).
    """
    from prosper_coop.core.errors import NotJoinedError
    from prosper_coop.core.study import Acting

    chosen = os.environ.get("PROSPER_COOP_AS")
    if chosen:
        return Acting(chosen.strip(), "PROSPER_COOP_AS", WHOAMI_HINT)
    uid, _default_actor = study.uid_and_default_actor()
    chosen = study_settings(uid).get("whoami")
    if chosen:
        return Acting(str(chosen), "whoami", WHOAMI_HINT)
    raise NotJoinedError(
        "this computer does not know who you are in this study yet, so nothing can be "
        "recorded in your name",
        JOIN_HINT,
    )
