"""``prosper-coop reflect``, ``reflect list`` and ``reflect show``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from prosper_coop.core.errors import ExitCode
from tests.helpers import act_as, argv_recorder, git, join_here, recorded_argv, state
from tests.wellbeing.helpers import add_person, set_recipient


def test_private_reflection_only_its_writer_can_read(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    act_as(monkeypatch, "CR-02")
    result = cli("--study", root, "reflect", "--wp", "WP4", input="Private thought")
    assert result.exit_code == 0, result.output
    assert "Saved your reflection (RF-0004)" in result.stderr
    assert "Who can read it: you." in result.stderr
    assert "It is private" in result.stderr
    assert git(example_study, "log", "-1", "--format=%an|%s").strip() == (
        "CR-02|wellbeing: reflection (RF-0004)"
    )
    shown = cli("--study", root, "reflect", "show", "RF-0004", "--json")
    assert json.loads(shown.stdout)["text"] == "Private thought"

    act_as(monkeypatch, "WB-01")
    refused = cli("--study", root, "reflect", "show", "RF-0004")
    assert refused.exit_code == ExitCode.KEY
    assert "was not encrypted to your key" in refused.stderr
    assert "Private thought" not in refused.output
    listed = cli("--study", root, "reflect", "list", "--json")
    assert "RF-0004" not in [r["id"] for r in json.loads(listed.stdout)]


def test_shared_reflection_reaches_the_analysis_team(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    act_as(monkeypatch, "CR-02")
    result = cli("--study", root, "reflect", "--share", "--tag", "funding", input="For the team")
    assert result.exit_code == 0, result.output
    assert "the analysis team (" in result.stderr and "AC-01" in result.stderr
    act_as(monkeypatch, "AC-04")
    shown = cli("--study", root, "reflect", "show", "RF-0004")
    assert shown.exit_code == 0, shown.output
    assert "For the team" in shown.stdout and "shared with the analysis team" in shown.stdout
    act_as(monkeypatch, "WB-01")  # not in the analysis team
    assert cli("--study", root, "reflect", "show", "RF-0004").exit_code == ExitCode.KEY


def test_reflection_from_stdin_and_list(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    act_as(monkeypatch, "CR-01")
    result = cli("--study", root, "reflect", "--session", "S-0003", input="From stdin\nmore\n")
    assert result.exit_code == 0, result.output
    listed = cli("--study", root, "reflect", "list", "--mine", "--json")
    rows = json.loads(listed.stdout)
    assert [r["id"] for r in rows] == ["RF-0004", "RF-0001"]
    assert rows[0]["session"] == "S-0003" and "text" not in rows[0]
    table = cli("--study", root, "reflect", "list")
    assert "only the writer" in table.stdout and "RF-0002" in table.stdout


def test_empty_reflection_is_refused(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CR-01")
    before = state(example_study)
    result = cli("--study", str(example_study.root), "reflect", input="   \n ")
    assert result.exit_code == ExitCode.USAGE
    assert "Error: your reflection is empty" in result.stderr
    assert state(example_study) == before


def test_reflection_needs_your_key(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CR-05")  # has not set up a key
    before = state(example_study)
    result = cli("--study", str(example_study.root), "reflect", input="NOT-STORED-9")
    assert result.exit_code == ExitCode.KEY
    assert "you need a key" in result.stderr and "keys init" in result.stderr
    assert "NOT-STORED-9" not in result.output
    assert state(example_study) == before
    listed = cli("--study", str(example_study.root), "reflect", "list")
    assert listed.exit_code == ExitCode.KEY
    assert "CR-05 has no key yet" in listed.stderr


def test_bad_tag_and_unknown_wp(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CR-01")
    before = state(example_study)
    bad_tag = cli("--study", str(example_study.root), "reflect", "--tag", "Bad Tag", input="x")
    assert bad_tag.exit_code == ExitCode.USAGE and "tags" in bad_tag.stderr
    no_wp = cli("--study", str(example_study.root), "reflect", "--wp", "WP9", input="x")
    assert no_wp.exit_code == ExitCode.NOT_FOUND
    assert state(example_study) == before


def test_corrupted_reflection_is_reported_not_crashed(example_study, cli, monkeypatch) -> None:
    path = example_study.root / "reflections" / "CR-01" / "RF-0001.age"
    text = path.read_text().splitlines()
    text[3] = text[3][:-8] + "AAAAAAAA"
    path.write_text("\n".join(text) + "\n")
    act_as(monkeypatch, "CR-01")
    result = cli("--study", str(example_study.root), "reflect", "show", "RF-0001")
    assert result.exit_code == ExitCode.INVALID, result.output
    assert "damaged" in result.stderr and "reflections/CR-01/RF-0001.age" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_reflection(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CR-01")
    result = cli("--study", str(example_study.root), "reflect", "show", "RF-0999")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "reflect list" in result.stderr


def test_reflect_in_a_subprocess(example_study, run_cli) -> None:
    env = {"PROSPER_COOP_AS": "CR-03"}
    result = run_cli("reflect", cwd=example_study.root, input="Piped in\n", env=env)
    assert result.returncode == 0, result.stderr
    listed = run_cli("reflect", "list", "--mine", "--json", cwd=example_study.root, env=env)
    assert [r["id"] for r in json.loads(listed.stdout)] == ["RF-0004", "RF-0002"]
    shown = run_cli("reflect", "show", "RF-0004", cwd=example_study.root, env=env)
    assert "Piped in" in shown.stdout


def test_first_reflection_after_keys_init(empty_study, cli, monkeypatch) -> None:
    add_person(empty_study, "CR-01", ["co-researcher"])
    join_here(empty_study, "CR-01")
    act_as(monkeypatch, "CR-01")
    set_recipient(empty_study, "CR-01", None)  # joined, then gave up their reading key
    monkeypatch.chdir(empty_study.root)
    assert cli("keys", "init").exit_code == 0
    result = cli("reflect", input="first")
    assert result.exit_code == 0, result.output
    assert "Who can read it: you." in result.stderr


def test_editor_draft_is_read_back_and_removed(monkeypatch, tmp_path) -> None:
    from prosper_coop.cli.support import write_in_editor

    seen = tmp_path / "seen.txt"
    editor = tmp_path / "editor.sh"
    editor.write_text(
        "#!/bin/sh\n"
        f'echo "$1" > {seen}\n'
        f'stat -c %a "$1" >> {seen}\n'
        "printf 'Editor words\\n' >> \"$1\"\n"
    )
    editor.chmod(0o700)
    monkeypatch.setenv("EDITOR", str(editor))
    text = write_in_editor("# a comment line\n")
    assert text == "# a comment line\nEditor words\n"
    draft, mode = seen.read_text().split()
    assert mode == "600"
    assert not Path(draft).exists()


def test_editor_that_fails_saves_nothing(monkeypatch) -> None:
    from prosper_coop.cli.support import write_in_editor
    from prosper_coop.core.errors import InvalidInputError

    monkeypatch.setenv("EDITOR", "false")
    try:
        write_in_editor("")
    except InvalidInputError as exc:
        assert "did not finish normally" in exc.message
    else:
        raise AssertionError("expected an error")


def test_same_reflection_id_from_two_computers_each_reads_their_own(
    example_study, cli, monkeypatch, tmp_path
) -> None:
    """After a sync, CR-01 and CR-02 may each have an RF-0004: each sees their own."""
    import shutil

    other = Path(shutil.copytree(example_study.root, tmp_path / "other", symlinks=True))
    act_as(monkeypatch, "CR-01")
    assert cli("--study", str(example_study.root), "reflect", input="Mine, here").exit_code == 0
    act_as(monkeypatch, "CR-02")
    assert cli("--study", str(other), "reflect", input="Mine, there").exit_code == 0
    # What sync brings in: the other computer's file, in CR-02's folder.
    arrived = example_study.root / "reflections" / "CR-02" / "RF-0004.age"
    arrived.parent.mkdir(exist_ok=True)
    shutil.copyfile(other / "reflections" / "CR-02" / "RF-0004.age", arrived)
    git(example_study, "add", "reflections")
    git(
        example_study,
        "-c",
        "user.name=CR-02",
        "-c",
        "user.email=c@x.invalid",
        "commit",
        "-qm",
        "in",
    )
    for person, text in (("CR-01", "Mine, here"), ("CR-02", "Mine, there")):
        act_as(monkeypatch, person)
        shown = cli("--study", str(example_study.root), "reflect", "show", "RF-0004", "--json")
        assert shown.exit_code == 0, shown.output
        assert json.loads(shown.stdout)["text"] == text
    act_as(monkeypatch, "WB-01")  # neither is encrypted to them: the usual clear refusal
    refused = cli("--study", str(example_study.root), "reflect", "show", "RF-0004")
    assert refused.exit_code == ExitCode.KEY


def test_text_on_the_command_line_is_refused(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CR-01")
    before = state(example_study)
    for option in ("--text", "-t"):
        result = cli("--study", str(example_study.root), "reflect", option, "A private thought")
        assert result.exit_code == ExitCode.USAGE, result.output
        assert "Error: --text is not taken on the command line" in result.stderr
        assert "prosper-coop reflect < reflection.txt" in result.stderr
    assert state(example_study) == before


def test_reflection_text_never_reaches_any_process_arguments(
    example_study, run_cli, tmp_path
) -> None:
    env, log = argv_recorder(tmp_path)
    words = "A-THOUGHT-THAT-STAYS-OFF-THE-COMMAND-LINE"
    done = run_cli("reflect", "--wp", "WP4", cwd=example_study.root, input=words,
                   env={**env, "PROSPER_COOP_AS": "CR-01"})  # fmt: skip
    assert done.returncode == 0, done.stderr
    seen = recorded_argv(log)
    assert any(argv[0] == "git" and "commit-tree" in argv for argv in seen)
    assert any("reflect" in arg for argv in seen if argv[0] == "parent" for arg in argv)
    assert not any(words in arg for argv in seen for arg in argv)


# -- drafts written in an editor --------------------------------------------------------
SLOW_EDITOR = """#!/bin/sh
echo "$1" > {seen}
exec sleep 60
"""


def _reflect_in_editor(example_study, tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path, int]:
    """Start the real console script at a terminal, with an editor that waits.

    Returns the process, the draft the editor has open, and the terminal.
    """
    import os
    import pty
    import sys
    import time

    seen = tmp_path / "draft-path.txt"
    editor = tmp_path / "slow-editor.sh"
    editor.write_text(SLOW_EDITOR.format(seen=seen))
    editor.chmod(0o700)
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "prosper-coop"), "reflect"],
        cwd=example_study.root, stdin=secondary, stdout=secondary, stderr=secondary,
        env={**os.environ, "EDITOR": str(editor), "PROSPER_COOP_AS": "CR-01"},
        start_new_session=True,
    )  # fmt: skip
    os.close(secondary)
    deadline = time.monotonic() + 60
    while not (seen.exists() and seen.read_text().strip()):
        assert process.poll() is None and time.monotonic() < deadline, "the editor never opened"
        time.sleep(0.05)
    draft = Path(seen.read_text().strip())
    assert draft.is_file() and draft.name.startswith(f"prosper-coop-{process.pid}-")
    return process, draft, primary


@pytest.mark.parametrize("signal_name", ["SIGHUP", "SIGTERM"])
def test_a_hang_up_while_the_editor_is_open_leaves_no_draft(
    example_study, tmp_path, signal_name
) -> None:
    import signal

    number = getattr(signal, signal_name)
    import os

    before = state(example_study)
    process, draft, terminal = _reflect_in_editor(example_study, tmp_path)
    os.close(terminal)  # the terminal goes away
    process.send_signal(number)  # to prosper-coop only, as `kill -HUP PID` does
    assert process.wait(timeout=30) == -number
    assert not draft.exists()
    assert not list(draft.parent.glob(f"prosper-coop-{process.pid}-*"))
    assert state(example_study) == before


def test_ctrl_c_at_the_terminal_leaves_no_draft(example_study, tmp_path) -> None:
    import os
    import signal

    process, draft, terminal = _reflect_in_editor(example_study, tmp_path)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the editor gets it too
    assert process.wait(timeout=30) == ExitCode.USAGE
    said = ""
    while True:  # everything the terminal showed, until the program closed it
        try:
            chunk = os.read(terminal, 65536)
        except OSError:
            break
        if not chunk:
            break
        said += chunk.decode(errors="replace")
    os.close(terminal)
    assert "did not finish normally, so nothing was saved" in said
    assert not draft.exists()


def test_a_draft_left_by_a_killed_process_is_removed_next_time(example_study, tmp_path) -> None:
    import os
    import signal

    from prosper_coop.cli.support import remove_stale_drafts

    process, draft, terminal = _reflect_in_editor(example_study, tmp_path)
    os.killpg(process.pid, signal.SIGKILL)  # nothing can run: the draft stays behind
    process.wait(timeout=30)
    os.close(terminal)
    assert draft.exists()
    alive = draft.parent / f"prosper-coop-{os.getppid()}-keep.txt"  # a running process's
    alive.write_text("in use")
    try:
        assert remove_stale_drafts() == [draft]
        assert not draft.exists() and alive.exists()
    finally:
        alive.unlink()
