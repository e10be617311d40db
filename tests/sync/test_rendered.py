"""Rendered files are derived: two computers rendering the same output never stop sync.

Real git, real Jinja rendering and real .docx files (issue 14, item 11).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from prosper_coop import doctor
from prosper_coop.core.records import get
from prosper_coop.core.study import Study
from prosper_coop.outputs import render as rendering
from prosper_coop.outputs.findings import Theme
from prosper_coop.sync import engine as sync
from tests.helpers import git
from tests.sync.helpers import make_team

# Real git processes, many of them: see the slow marker in pyproject.toml.
pytestmark = pytest.mark.slow

# The team's study still has the shipped starter wording, so its renders are drafts.
OUTPUTS = ["outputs/lay-summary.docx", "outputs/lay-summary.html", "outputs/lay-summary.md"]


def retitle(study: Study, title: str) -> None:
    with study.change("findings", "retitle", "TH1") as change:
        theme = study.load(get("theme"), "TH1")
        theme.title = title
        change.save(theme)


def sha256(study: Study, rel: str) -> str:
    return hashlib.sha256((study.root / rel).read_bytes()).hexdigest()


def test_two_computers_rendering_the_same_output_sync_and_keep_the_newer(
    sealed_env: Path, monkeypatch: pytest.MonkeyPatch, cli
) -> None:
    _, (a, b) = make_team(sealed_env, ("a", "b"))
    with a.change("findings", "add", "TH1") as change:
        change.save(Theme(id="TH1", title="Feeling heard", summary="People felt listened to."))
    sync.sync(a)
    sync.sync(b)

    retitle(a, "Feeling heard, at last")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-11-26T09:00:00+00:00")
    made_a = rendering.render(a, "lay-summary", formats=list(rendering.FORMATS), draft=True)
    retitle(b, "Being believed")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-11-26T11:00:00+00:00")
    # the newer:
    made_b = rendering.render(b, "lay-summary", formats=list(rendering.FORMATS), draft=True)
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    assert made_a.record.id == made_b.record.id == "OUT-00001"
    newer = {rel: sha256(b, rel) for rel in OUTPUTS}

    sync.sync(a)
    result = sync.sync(b)  # stopped with exit 5 on outputs/lay-summary.docx, for good
    assert result.renumbered == {"OUT-00001": "OUT-00002"}
    assert result.outputs_kept == dict.fromkeys(OUTPUTS, "OUT-00002")
    sync.sync(a)
    assert git(a, "rev-parse", "HEAD") == git(b, "rev-parse", "HEAD")
    for study in (a, b):
        assert git(study, "status", "--porcelain") == ""
        assert {rel: sha256(study, rel) for rel in OUTPUTS} == newer
        assert "<<<<<<<" not in (study.root / "outputs/lay-summary.md").read_text()
        renders = {r.id: r for r in rendering.list_renders(study)}
        # The render records say which render the files come from.
        assert renders["OUT-00001"].replaced_by == "OUT-00002"
        assert renders["OUT-00002"].replaced_by is None
        assert {f.path: f.sha256 for f in renders["OUT-00002"].files} == newer
        assert [p for p in doctor.check_study(study) if p.severity == "error"] == []

    # And it keeps working: both render again, both sync, no clash ever sticks.
    retitle(a, "Believed and heard")
    rendering.render(a, "lay-summary", formats=["md"], draft=True)
    retitle(b, "Heard and believed")
    rendering.render(b, "lay-summary", formats=["md"], draft=True)
    sync.sync(a)
    said = cli("--study", str(b.root), "sync")
    assert said.exit_code == 0, said.output
    assert "outputs/lay-summary.md was rendered on two computers; kept the newer one" in (
        said.stderr
    )
    sync.sync(a)
    assert git(a, "rev-parse", "HEAD") == git(b, "rev-parse", "HEAD")
