"""Atomic writes leave the old file intact when the write fails half-way."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from prosper_coop.core.fsutil import atomic_write


def test_atomic_write_replaces_content(tmp_path: Path) -> None:
    target = tmp_path / "a" / "record.yaml"
    atomic_write(target, b"one\n")
    atomic_write(target, b"two\n")
    assert target.read_bytes() == b"two\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["record.yaml"]


def test_failure_half_way_keeps_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    target = folder / "record.yaml"
    target.write_bytes(b"old content\n")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space"):
        atomic_write(target, b"new content that never fully lands\n")
    assert target.read_bytes() == b"old content\n"
    assert [p.name for p in folder.iterdir()] == ["record.yaml"]


def test_private_mode(tmp_path: Path) -> None:
    target = tmp_path / "key.txt"
    atomic_write(target, b"secret", mode=0o600)
    assert target.stat().st_mode & 0o777 == 0o600


def test_temporary_files_of_dead_writers_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    tmp_path = tmp_path / "keys"
    tmp_path.mkdir()
    import subprocess
    import sys

    from prosper_coop.core.fsutil import remove_stale_temp_files

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead = int(done.stdout)
    (tmp_path / f".k.key.{dead}.0.tmp").write_text("half a key")
    (tmp_path / f".settings.yaml.{os.getpid()}.0.tmp").write_text("mine, still writing")
    (tmp_path / ".notes.tmp").write_text("not ours")
    assert remove_stale_temp_files(tmp_path) == [f".k.key.{dead}.0.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".notes.tmp",
        f".settings.yaml.{os.getpid()}.0.tmp",
    ]
