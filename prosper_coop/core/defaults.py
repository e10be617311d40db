"""The shipped defaults (protocols/, templates/, wellbeing/) that each new study copies,
and light readers for a study's own copies of those settings files.

In an installed wheel they live in ``prosper_coop/_defaults/``; in a source
checkout (editable install) they are the top-level folders of the repository.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from prosper_coop.core.errors import UserError, ValidationError

DEFAULT_FOLDERS = ("protocols", "templates", "wellbeing")


def defaults_root() -> Path:
    """The folder holding the shipped ``protocols/``, ``templates/`` and ``wellbeing/``."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "_defaults", package.parent):
        if all((candidate / name).is_dir() for name in DEFAULT_FOLDERS):
            return candidate
    raise UserError(
        "the shipped defaults (protocols, templates, wellbeing) were not found",
        "Reinstall prosper-coop (pip install --force-reinstall prosper-coop).",
    )


def default_path(*parts: str) -> Path:
    """A path inside the shipped defaults: ``default_path("wellbeing", "signposting.yaml")``."""
    return defaults_root().joinpath(*parts)


def study_or_default(root: Path | None, *parts: str) -> Path:
    """``<root>/<parts>`` in the study when it is a file there, else the shipped default.

    A link there is returned too (never passed over), so that reading it is refused.
    """
    if root is not None:
        candidate = root.joinpath(*parts)
        if candidate.is_file() or candidate.is_symlink():
            return candidate
    return default_path(*parts)


def where_of(root: Path | None, path: Path) -> str:
    """How to name ``path`` in a message: relative to the study when inside it."""
    if root is not None and path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    return str(path)


def read_settings(root: Path | None, *parts: str) -> tuple[dict[str, Any], str]:
    """A settings file (the study's copy, else the default) as a mapping, and its name."""
    from prosper_coop.core import yamlio

    path = study_or_default(root, *parts)
    where = where_of(root, path)
    if root is not None and path.is_relative_to(root):  # the study's copy: never via a link
        from prosper_coop.core.fsutil import read_regular_file

        data = yamlio.loads(yamlio.decode(read_regular_file(path, where), where), where)
    else:
        data = yamlio.load_file(path, where)
    if not isinstance(data, dict):
        raise ValidationError(
            "the file should hold a mapping of settings (key: value lines)",
            f"Compare it with the shipped default, or restore it with: git checkout -- {where}",
            file=where,
            line=1,
        )
    return data, where


def setting_error(where: str, name: str, problem: str) -> ValidationError:
    """A problem with the setting ``name`` in the settings file ``where``."""
    return ValidationError(
        f"{name}: {problem}",
        "Fix the setting shown, then run: prosper-coop doctor",
        file=where,
    )


def setting_text(data: dict[str, Any], key: str, where: str, default: str = "") -> str:
    """A text setting (numbers are taken as text), stripped; ``default`` when absent."""
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str | int | float):
        raise setting_error(where, key, "should be text")
    return str(value).strip()


def setting_date(data: dict[str, Any], key: str, where: str) -> dt.date | None:
    """A date setting (``YYYY-MM-DD``), or None when absent or empty."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise setting_error(where, key, f"{value!r} is not a date (YYYY-MM-DD)") from None
