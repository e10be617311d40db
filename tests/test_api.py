"""The library API: ``import prosper_coop`` without the command line.

Who acts and what day it is are arguments here; the scenarios run in a fresh
process so that nothing the CLI imported can help them along.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import prosper_coop
from tests.helpers import git, run_python

# Starts Python and git in subprocesses: see the slow marker in pyproject.toml.
pytestmark = pytest.mark.slow

SCENARIO = """
import datetime, json, sys
from pathlib import Path

import prosper_coop
from prosper_coop import NoActorError, NotFoundError, Study, create_study
from prosper_coop.tasks import ops, workpackages


path = Path(sys.argv[1])
create_study(path, title="API study", actor="CO-01", today=datetime.date(2026, 3, 1))

study = Study.open(path, actor="CO-01", today=datetime.date(2026, 3, 2))
workpackages.add_wp(
    study, "WP1", "Interviews", start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31)
)
added = ops.add_task(study, "WP1", "Draft the topic guide", owner="CO-01")
ops.set_status(study, added.task.id, "done", note="Shared with the advisory group")
task = ops.load_task(study, added.task.id)
assert isinstance(task, prosper_coop.Task)

reader = Study.open(path)
try:
    ops.add_task(reader, "WP1", "Nobody said who adds this")
    no_actor = None
except NoActorError as exc:
    no_actor = {"message": exc.message, "hint": exc.hint, "code": int(exc.exit_code)}

stranger = Study.open(path, actor="CO-09")
try:
    ops.add_task(stranger, "WP1", "Someone not in the study adds this")
    not_in_study = None
except NotFoundError as exc:
    not_in_study = exc.message

print(json.dumps({
    "task": task.id,
    "created": task.created.isoformat(),
    "done_on": task.done_on.isoformat(),
    "note": [task.notes[0].by, task.notes[0].at.date().isoformat()],
    "settings_created": reader.settings.created.isoformat(),
    "read_without_actor": ops.load_task(reader, task.id).title,
    "no_actor": no_actor,
    "not_in_study": not_in_study,
    "cli_modules": sorted({"typer", "click"} & set(sys.modules)),
}))
"""


def test_a_scenario_through_the_api_alone(tmp_path: Path) -> None:
    study_dir = tmp_path / "api-study"
    # The command line's settings are there, and the library ignores them.
    out = run_python(SCENARIO, str(study_dir), env={"PROSPER_COOP_AS": "CO-07"})
    result = json.loads(out)
    assert result["created"] == result["done_on"] == "2026-03-02"
    assert result["note"] == ["CO-01", "2026-03-02"]
    assert result["settings_created"] == "2026-03-01"
    assert result["read_without_actor"] == "Draft the topic guide"
    assert result["no_actor"] == {
        "message": "no one is acting in this study: it was opened without an actor",
        "hint": 'Say who makes changes: Study.open(path, actor="CO-01") '
        "(the study ID of a person in the study)",
        "code": 2,
    }
    assert result["not_in_study"] == (
        "you are acting as CO-09 (from the actor= argument), who is not in this study"
    )
    assert result["cli_modules"] == []
    log = git(study_dir, "log", "--format=%an|%s").strip().splitlines()
    assert [line.split("|")[0] for line in log] == ["CO-01"] * 4
    assert log[0] == f'CO-01|task: done {result["task"]} "Draft the topic guide" ({result["task"]})'
    assert git(study_dir, "status", "--porcelain").strip() == ""


def test_importing_the_package_imports_nothing_heavy() -> None:
    out = run_python(
        "import sys, prosper_coop; "
        "print(prosper_coop.__version__); "
        "print(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'pydantic', 'yaml', 'git', 'typer', 'click', 'rich'}))"
    )
    assert out.splitlines() == [prosper_coop.__version__, "[]"]


def test_every_export_is_there() -> None:
    for name in prosper_coop.__all__:
        assert getattr(prosper_coop, name) is not None
    assert set(dir(prosper_coop)) >= set(prosper_coop.__all__)
    assert issubclass(prosper_coop.NoActorError, prosper_coop.UserError)
    with pytest.raises(AttributeError):
        _ = prosper_coop.NoSuchThing  # type: ignore[attr-defined]


def test_the_record_types_are_exported() -> None:
    from prosper_coop.core.records import RECORD_TYPES

    for rtype in RECORD_TYPES:
        assert getattr(prosper_coop, rtype.model.__name__) is rtype.model


def test_creating_a_study_as_someone_it_does_not_hold_is_refused(tmp_path: Path) -> None:
    with pytest.raises(prosper_coop.NotFoundError) as caught:
        prosper_coop.create_study(tmp_path / "new", title="T", actor="CR-05")
    assert caught.value.message == "CR-05 cannot create the study: the new study has no such person"
    assert not (tmp_path / "new").exists()
