"""The task index: a derived cache that is never stale and never committed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from prosper_coop.core import models
from prosper_coop.core.errors import ExitCode, ValidationError
from prosper_coop.core.records import get
from prosper_coop.core.study import Study
from prosper_coop.tasks import index as task_index
from prosper_coop.tasks.index import TaskIndex, cache_path, drop_cache, row_of
from tests.helpers import git
from tests.tasks.example_tasks import next_task_id, task_count


def _list_json(cli, study: Study, *args: str) -> list[dict]:
    result = cli("--study", str(study.root), "task", "list", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _full_rows(study: Study) -> list[tuple]:
    """Rows built the slow way, from every file through the model."""
    rtype = get("task")
    return [tuple(row_of(t, study.rel(study.path_of(rtype, t.id)))) for t in study.load_all(rtype)]


def test_patterns_match_the_models() -> None:
    assert task_index.TASK_ID.pattern == models.TASK_ID.pattern
    assert task_index.WP_ID.pattern == models.WP_ID.pattern
    assert task_index.PERSON_ID.pattern == models.PERSON_ID.pattern


def test_index_equals_parsing_every_file_and_is_reused(example_study: Study) -> None:
    first = TaskIndex.load(example_study)
    assert [tuple(r) for r in first.rows] == _full_rows(example_study)
    assert (cache_path(example_study.root) / "00.marshal").is_file()
    # A second load gives the same rows (from the cache).
    assert TaskIndex.load(example_study).rows == first.rows


def test_cache_is_ignored_by_git(example_study: Study, cli) -> None:
    _list_json(cli, example_study)
    assert (cache_path(example_study.root) / "00.marshal").is_file()
    assert git(example_study, "status", "--porcelain") == ""
    assert ".prosper" not in git(example_study, "ls-files")


def test_recent_files_are_checked_again_next_time(example_study: Study) -> None:
    TaskIndex.load(example_study)

    entries = task_index._read_shard(example_study.root, "00")
    # Files written moments ago are stored as "not trusted" (same-tick edits).
    assert all(mtime == task_index.NOT_TRUSTED for mtime, _, _ in entries.values())
    old = 1_600_000_000
    for path in (example_study.root / "tasks").rglob("*.yaml"):
        os.utime(path, (old, old))
    TaskIndex.load(example_study)
    entries = task_index._read_shard(example_study.root, "00")
    assert all(mtime == old * 1_000_000_000 for mtime, _, _ in entries.values())


def test_hand_edit_is_seen_by_the_next_command(example_study: Study, cli) -> None:
    path = example_study.root / "tasks" / "00" / "T-0014.yaml"
    old = 1_600_000_000
    for file in (example_study.root / "tasks").rglob("*.yaml"):
        os.utime(file, (old, old))
    assert _list_json(cli, example_study)[13]["title"] == "Site 4: interviews with service staff"
    text = path.read_text().replace("Site 4: interviews", "Site 4: group interviews")
    path.write_text(text)
    tasks = _list_json(cli, example_study)
    assert tasks[13]["title"] == "Site 4: group interviews with service staff"


def test_same_size_edit_within_the_same_second_is_seen(example_study: Study, cli) -> None:
    path = example_study.root / "tasks" / "00" / "T-0014.yaml"
    _list_json(cli, example_study)
    stat = path.stat()
    path.write_text(path.read_text().replace("status: todo", "status: done"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime
    assert path.stat().st_size == stat.st_size
    assert _list_json(cli, example_study)[13]["status"] == "done"


def test_deleted_file_is_seen_by_the_next_command(example_study: Study, cli) -> None:
    count = task_count(example_study)
    assert len(_list_json(cli, example_study)) == count
    (example_study.root / "tasks" / "00" / "T-0027.yaml").unlink()
    ids = [t["id"] for t in _list_json(cli, example_study)]
    assert len(ids) == count - 1
    assert "T-0027" not in ids


def test_git_pull_is_seen_by_the_next_command(example_study: Study, cli, sealed_env: Path) -> None:
    clone = sealed_env / "clone"
    git(example_study, "clone", "-q", str(example_study.root), str(clone))
    assert _list_json(cli, example_study)[21]["status"] == "todo"  # warm the cache
    result = cli("--study", str(clone), "task", "done", "T-0022", "--force")
    assert result.exit_code == 0, result.output
    new_id = next_task_id(example_study)
    assert new_id not in {t["id"] for t in _list_json(cli, example_study)}
    result = cli("--study", str(clone), "task", "add", "WP5", "Write the final report")
    assert result.exit_code == 0, result.output
    git(clone, "rm", "-q", "tasks/00/T-0027.yaml")
    git(clone, "-c", "user.name=CO-01", "-c", "user.email=co@x.invalid", "commit", "-qm", "rm")
    git(example_study, "pull", "-q", "--ff-only", str(clone), "main")
    tasks = {t["id"]: t for t in _list_json(cli, example_study)}
    assert tasks["T-0022"]["status"] == "done"
    assert tasks[new_id]["title"] == "Write the final report"
    assert "T-0027" not in tasks


def test_corrupt_or_foreign_cache_is_rebuilt(example_study: Study, cli) -> None:
    cache = cache_path(example_study.root) / "00.marshal"
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(b"\x00not a cache")
    count = task_count(example_study)
    assert len(_list_json(cli, example_study)) == count
    drop_cache(example_study.root)
    assert len(_list_json(cli, example_study)) == count


def test_cache_built_by_an_older_task_model_is_rebuilt(example_study: Study, cli) -> None:
    """Rows cached before a field was added to every task (sync's ``conflicts``) are not served."""
    import marshal

    from prosper_coop import __version__

    old = 1_600_000_000
    for path in (example_study.root / "tasks").rglob("*.yaml"):
        os.utime(path, (old, old))
    TaskIndex.load(example_study)
    cache = cache_path(example_study.root) / "00.marshal"
    fmt, _, signature, rows = marshal.loads(cache.read_bytes())
    for number, row in enumerate(rows):
        data = json.loads(row[12])
        del data["conflicts"]
        rows[number] = (*row[:12], json.dumps(data).encode(), *row[13:])
    # What the code before the ``conflicts`` field wrote: the same version number.
    cache.write_bytes(marshal.dumps((fmt, __version__, signature, rows)))
    tasks = _list_json(cli, example_study)
    assert all(t["conflicts"] == [] for t in tasks)
    assert [tuple(r) for r in TaskIndex.load(example_study).rows] == _full_rows(example_study)
    # An unchanged export imports as unchanged (not as every task "updated").
    exported = example_study.root.parent / "all.csv"
    result = cli("--study", str(example_study.root), "task", "export", "-o", str(exported))
    assert result.exit_code == 0, result.output
    head = git(example_study, "rev-parse", "HEAD")
    result = cli("--study", str(example_study.root), "task", "import", str(exported))
    assert result.exit_code == 0, result.output
    assert "Nothing to change" in result.stderr
    assert git(example_study, "rev-parse", "HEAD") == head


def test_invalid_hand_edit_is_reported_with_file_and_line(example_study: Study, cli) -> None:
    path = example_study.root / "tasks" / "00" / "T-0014.yaml"
    path.write_text(path.read_text().replace("status: todo", "status: finished"))
    head = git(example_study, "rev-parse", "HEAD")
    result = cli("--study", str(example_study.root), "task", "list")
    assert result.exit_code == ExitCode.INVALID
    assert "Error: status:" in result.stderr
    assert "tasks/00/T-0014.yaml:4" in result.stderr
    assert git(example_study, "rev-parse", "HEAD") == head
    with pytest.raises(ValidationError):
        TaskIndex.load(example_study)
    # Fixed by hand, the task shows again.
    path.write_text(path.read_text().replace("status: finished", "status: doing"))
    assert _list_json(cli, example_study)[13]["status"] == "doing"


def test_writes_refresh_the_index_exactly(example_study: Study, cli) -> None:
    for args in (
        ("task", "start", "T-0014"),
        ("task", "note", "T-0014", "Booked the first visit"),
        ("task", "add", "WP3", "Write up site 4", "--depends", "T-0014", "--tag", "analysis"),
    ):
        result = cli("--study", str(example_study.root), *args)
        assert result.exit_code == 0, result.output
    cached = [tuple(r) for r in TaskIndex.load(example_study).rows]
    assert cached == _full_rows(example_study)


def test_rows_written_by_a_command_are_trusted_and_kept_in_order(
    example_study: Study, cli, monkeypatch
) -> None:

    _list_json(cli, example_study)
    result = cli("--study", str(example_study.root), "task", "start", "T-0014")
    assert result.exit_code == 0, result.output
    entries = task_index._read_shard(example_study.root, "00")
    assert entries["tasks/00/T-0014.yaml"][0] > 0  # trusted: no re-parse next time
    parsed: list[str] = []
    original = task_index._parse
    monkeypatch.setattr(
        task_index, "_parse", lambda study, rel: parsed.append(rel) or original(study, rel)
    )
    TaskIndex.load(example_study)
    assert "tasks/00/T-0014.yaml" not in parsed
    # A task imported with a lower ID than the highest still lists in ID order.
    path = example_study.root.parent / "one.csv"
    path.write_text("id,wp,title\nT-0000,WP3,Zero\n", encoding="utf-8")
    result = cli("--study", str(example_study.root), "task", "import", str(path))
    assert result.exit_code == 0, result.output
    ids = [row.id for row in TaskIndex.load(example_study).rows]
    assert ids == sorted(ids, key=lambda i: int(i[2:]))
    assert ids[0] == "T-0000"


def test_one_cache_file_per_task_folder(example_study: Study, cli) -> None:
    """Tasks in several folders of 100 list in ID order, even a file in another's folder."""
    tasks = example_study.root / "tasks"
    source = (tasks / "00" / "T-0014.yaml").read_text()
    for task_id, folder in (("T-0150", "01"), ("T-0230", "02"), ("T-0099", "02")):
        (tasks / folder).mkdir(exist_ok=True)
        (tasks / folder / f"{task_id}.yaml").write_text(source.replace("T-0014", task_id))
    ids = [t["id"] for t in _list_json(cli, example_study)]
    assert ids == sorted(ids, key=lambda i: int(i[2:]))
    assert {"T-0099", "T-0150", "T-0230"} <= set(ids)
    names = sorted(p.name for p in cache_path(example_study.root).iterdir())
    assert names == ["00.marshal", "01.marshal", "02.marshal"]
    # A folder that is gone takes its tasks and its cache file with it.
    TaskIndex.load(example_study)
    old = 1_600_000_000
    for path in tasks.rglob("*.yaml"):
        os.utime(path, (old, old))
    TaskIndex.load(example_study)  # every file trusted: the next load rewrites nothing
    for path in (tasks / "01").iterdir():
        path.unlink()
    (tasks / "01").rmdir()
    ids = [t["id"] for t in _list_json(cli, example_study)]
    assert "T-0150" not in ids and "T-0230" in ids
    assert not (cache_path(example_study.root) / "01.marshal").exists()
