"""``prosper-coop render`` and ``readability`` from the command line."""

from __future__ import annotations

import io
import json

from prosper_coop.core.errors import ExitCode
from tests.helpers import git, state


def _commit_template(study, name: str, text: str) -> None:
    (study.root / "templates" / name).write_text(text)
    git(study, "add", "-A")
    git(study, "-c", "user.name=CO-01", "-c", "user.email=co@x.invalid", "commit", "-qm", "t")


def test_console_script_renders_checks_and_reproduces(example_study, run_cli) -> None:
    from docx import Document

    root = example_study.root
    rendered = run_cli("render", "lay-summary", cwd=root)
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stdout.splitlines() == [
        "outputs/lay-summary.md",
        "outputs/lay-summary.html",
        "outputs/lay-summary.docx",
    ]
    assert "Rendered lay-summary as OUT-00001." in rendered.stderr
    assert "All readability limits are met." in rendered.stderr
    document = Document(io.BytesIO((root / "outputs" / "lay-summary.docx").read_bytes()))
    assert document.paragraphs[0].text.startswith("Before you read:")
    assert document.paragraphs[1].text == "PROSPER: a summary in plain words"

    checked = run_cli("readability", "outputs/lay-summary.html", "--json", "--strict", cwd=root)
    assert checked.returncode == 0, checked.stderr
    data = json.loads(checked.stdout)
    assert data["output_type"] == "lay-summary" and data["passed"] is True
    assert data["words"] <= 300 and data["reading_ease"] >= 60

    strict = run_cli(
        "readability", "outputs/lay-summary.md", "--type", "easy-read", "--strict", cwd=root
    )
    assert strict.returncode == ExitCode.THRESHOLD, strict.stderr
    assert "not met:" in strict.stderr

    again = run_cli("render", "--again", "OUT-00001", cwd=root)
    assert again.returncode == 0, again.stderr
    assert "The files are identical to OUT-00001." in again.stderr
    listed = run_cli("render", "--list", "--json", cwd=root)
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert "gripp2" in data["templates"]
    assert [(r["id"], r.get("again_of")) for r in data["renders"]] == [
        ("OUT-00001", None),
        ("OUT-00002", "OUT-00001"),
    ]
    assert git(example_study, "status", "--porcelain") == ""


def test_render_json_and_formats(example_study, cli) -> None:
    root = str(example_study.root)
    result = cli("--study", root, "render", "gripp2", "--format", "md", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["render"]["formats"] == ["md"]
    assert data["readability"]["passed"] is True
    assert data["identical"] is None
    table = cli("--study", root, "render", "--list")
    assert "OUT-00001" in table.stdout and "gripp2" in table.stdout


def test_readability_of_a_template_shows_longest_sentences_and_jargon(example_study, cli) -> None:
    result = cli("--study", str(example_study.root), "readability", "recommendations")
    assert result.exit_code == 0, result.output
    assert "Flesch Reading Ease" in result.stdout
    assert "Longest: (" in result.stdout
    assert "statutory (" in result.stdout and 'try "set up by law' in result.stdout


def test_bad_templates_and_files_give_clear_errors(example_study, cli) -> None:
    root = example_study.root
    _commit_template(
        example_study, "broken.md.j2", "# T\n\n{% if themes %}\n{{ themes[0].title }\n"
    )
    _commit_template(example_study, "nosy.md.j2", "# T\n\n{{ cycler.__init__.__globals__ }}\n")
    _commit_template(example_study, "typo.md.j2", "# T\n\n{{ wording.no_such_entry }}\n")
    (root / "latin1.md").write_bytes("Caf\xe9".encode("latin-1"))
    before = state(example_study)
    cases = [
        (["render", "broken"], ExitCode.INVALID, "(templates/broken.md.j2:4)"),
        (["render", "nosy"], ExitCode.INVALID, "(templates/nosy.md.j2:3)"),
        (["render", "typo"], ExitCode.INVALID, "(templates/typo.md.j2:3)"),
        (["render", "leaflet"], ExitCode.NOT_FOUND, "no template called 'leaflet'"),
        (["render"], ExitCode.USAGE, "which template?"),
        (["render", "lay-summary", "--again", "OUT-00001"], ExitCode.USAGE, "--again"),
        (["render", "--again", "OUT-00009"], ExitCode.NOT_FOUND, "OUT-00009 not found"),
        (["render", "lay-summary", "--format", "pdf"], ExitCode.USAGE, "pdf"),
        (["render", "lay-summary", "--out", "/tmp/elsewhere"], ExitCode.USAGE, "inside the study"),
        (["readability", str(root / "latin1.md")], ExitCode.INVALID, "not UTF-8"),
        (["readability", "missing.md"], ExitCode.NOT_FOUND, "not found"),
    ]
    for args, code, message in cases:
        result = cli("--study", str(root), *args)
        assert result.exit_code == code, (args, result.output)
        assert "Error:" in result.stderr and message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.output
    assert state(example_study) == before


def test_strict_render_below_the_limits_exits_7_and_writes_nothing(example_study, cli) -> None:
    _commit_template(
        example_study,
        "easy-read.md.j2",
        "# Easy\n\nThis particular sentence is deliberately constructed to be considerably "
        "longer than fifteen words so that it fails.\n",
    )
    before = state(example_study)
    result = cli("--study", str(example_study.root), "render", "easy-read", "--strict")
    assert result.exit_code == ExitCode.THRESHOLD, result.output
    assert "does not meet its readability limits" in result.stderr
    assert state(example_study) == before
    assert not (example_study.root / "outputs").exists()


def test_render_and_readability_work_with_the_network_blocked(
    example_study, run_cli, tmp_path
) -> None:
    """A fresh machine may have no network: nothing may be fetched at run time."""
    blocker = tmp_path / "no-network"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import socket\n\n"
        "def _refuse(*args, **kwargs):\n"
        "    raise OSError('network disabled for this test')\n\n"
        "socket.socket = _refuse\n"
        "socket.create_connection = _refuse\n"
        "socket.getaddrinfo = _refuse\n"
    )
    env = {"PYTHONPATH": str(blocker)}
    root = example_study.root
    rendered = run_cli("render", "easy-read", "--strict", cwd=root, env=env)
    assert rendered.returncode == 0, rendered.stderr
    checked = run_cli("readability", "outputs/easy-read.docx", "--json", cwd=root, env=env)
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["passed"] is True
    probe = run_cli(
        "readability", "outputs/easy-read.md", cwd=root, env={**env, "PROSPER_COOP_DEBUG": "1"}
    )
    assert probe.returncode == 0, probe.stderr
