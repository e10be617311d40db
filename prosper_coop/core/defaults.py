"""The shipped defaults (protocols/, templates/, wellbeing/) that each new study copies.

In an installed wheel they live in ``prosper_coop/_defaults/``; in a source
checkout (editable install) they are the top-level folders of the repository.
"""

from __future__ import annotations

from pathlib import Path

from prosper_coop.core.errors import UserError

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
