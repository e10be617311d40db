"""Creating a study is all or nothing: it is built beside its folder and moved in whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from prosper_coop.core.errors import UserError
from prosper_coop.workspace import STAGING_PREFIX, create_study
from tests.helpers import git


@pytest.fixture
def place(tmp_path: Path) -> Path:
    """An empty folder to make studies in."""
    folder = tmp_path / "place"
    folder.mkdir()
    return folder


def test_a_study_can_be_made_in_an_empty_folder(place: Path) -> None:
    tmp_path = place
    (tmp_path / "s").mkdir()
    study = create_study(tmp_path / "s", actor="CO-01")
    assert study.root == (tmp_path / "s").resolve()
    assert git(study, "status", "--porcelain").strip() == ""
    assert git(study, "rev-list", "--count", "HEAD").strip() == "1"
    assert [p.name for p in tmp_path.iterdir()] == ["s"]


def test_a_failure_half_way_leaves_no_study(place: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tmp_path = place
    from prosper_coop.core import git as git_layer

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(git_layer, "install_hook", broken)
    with pytest.raises(UserError, match="could not create the study"):
        create_study(tmp_path / "s", actor="CO-01")
    assert list(tmp_path.iterdir()) == []


def test_a_killed_init_leaves_no_half_study_and_the_next_init_tidies_up(place: Path) -> None:
    """Really kill ``init`` while it writes; the target is never half-made."""
    tmp_path = place
    target = tmp_path / "s"
    slow_hook = (
        "import sys, time\n"
        "from prosper_coop.core import git\n"
        "real = git.install_hook\n"
        "def slow(root):\n"
        "    print('building', flush=True)\n"
        "    time.sleep(60)\n"
        "git.install_hook = slow\n"
        "from prosper_coop.workspace import create_study\n"
        f"create_study({str(target)!r}, actor='CO-01')\n"
    )
    child = subprocess.Popen([sys.executable, "-c", slow_hook], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "building"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    leftovers = [p.name for p in tmp_path.iterdir()]
    assert not target.exists()
    assert leftovers == [STAGING_PREFIX.format(name="s") + str(child.pid)]

    time.sleep(0.01)
    create_study(target, actor="CO-01")
    assert [p.name for p in tmp_path.iterdir()] == ["s"]
