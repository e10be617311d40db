"""``prosper-coop reflect`` without a text editor: gentle questions at the terminal.

The real console script is driven at a pseudo-terminal (the terminal is its
controlling terminal, so Ctrl-C and Ctrl-D are the real keys); the rest runs
in-process with stdin standing in for the terminal.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from prosper_coop.core.errors import ExitCode
from tests.helpers import act_as, all_objects, argv_recorder, git, recorded_argv, state

MARKER = "MARKER-TYPED-AT-THE-PROMPT-5d1e"
FELT = "MARKER-FELT-9c2b"
INTRO = "A few short questions about the work and how it was for you."


@pytest.fixture(autouse=True)
def no_editor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nobody here has chosen a text editor."""
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)


class Terminal:
    """``prosper-coop reflect`` running at a pseudo-terminal that a test types at."""

    def __init__(self, study_root: Path, env: dict[str, str]) -> None:
        import fcntl
        import pty
        import termios

        def own_terminal() -> None:  # in the child: the terminal becomes its controlling one
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        script = Path(sys.executable).parent / "prosper-coop"
        self.primary, secondary = pty.openpty()
        self.process = subprocess.Popen(
            [str(script), "reflect"],
            cwd=study_root,
            stdin=secondary,
            stdout=secondary,
            stderr=secondary,
            env={**os.environ, **env},
            start_new_session=True,
            preexec_fn=own_terminal,  # safe: this test starts no threads
        )
        os.close(secondary)
        self.seen = ""

    def _read(self, wait: float) -> bool:
        """Read what the terminal shows (False once the program has closed it)."""
        ready, _, _ = select.select([self.primary], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(self.primary, 65536)
        except OSError:
            return False
        self.seen += chunk.decode(errors="replace")
        return bool(chunk)

    def expect(self, text: str) -> None:
        """Wait until the terminal shows ``text`` (after what was expected before)."""
        deadline = time.monotonic() + 60
        while text not in self.seen:
            assert time.monotonic() < deadline, f"never shown: {text!r}\n{self.seen}"
            if not self._read(0.1):
                raise AssertionError(f"ended before showing {text!r}:\n{self.seen}")
        self.seen = self.seen.split(text, 1)[1]

    def wait_until_reading(self) -> None:
        """Nothing to wait for: the program reads in the terminal's own line mode, where
        the system queues every key in order (a key typed early waits for its read)."""
        assert termios.tcgetattr(self.primary)[3] & termios.ICANON

    def type(self, keys: str) -> None:
        """Type ``keys`` (``\\n`` is Enter, ``\\x03`` Ctrl-C, ``\\x04`` Ctrl-D)."""
        os.write(self.primary, keys.encode())

    def finish(self) -> tuple[int, str]:
        """The exit code and everything shown until the program ended."""
        code = self.process.wait(timeout=60)
        while self._read(0.1):
            pass
        os.close(self.primary)
        return code, self.seen


def _start(study, **env: str) -> Terminal:
    """``reflect`` as CR-01, at a new terminal, with no text editor chosen."""
    return Terminal(study.root, {"PROSPER_COOP_AS": "CR-01", **env})


def _files_holding(folder: Path, text: str) -> list[Path]:
    """Every file under ``folder`` (links not followed) whose bytes hold ``text``."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink() and text.encode() in path.read_bytes():
            found.append(path)
    return found


def _own_shm_files() -> dict[str, bytes]:
    shm = Path("/dev/shm")
    if not shm.is_dir():
        return {}
    held = {}
    for entry in os.scandir(shm):
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat().st_uid == os.getuid():
                held[entry.name] = Path(entry.path).read_bytes()
        except OSError:
            continue
    return held


def test_a_reflection_typed_at_the_prompt_is_saved_and_never_plain_on_disk(
    example_study, cli, monkeypatch, tmp_path
) -> None:
    temp = tmp_path / "process-temp"
    temp.mkdir()
    argv_env, argv_log = argv_recorder(tmp_path)
    shm_before = _own_shm_files()
    before = git(example_study, "rev-parse", "HEAD").strip()

    terminal = _start(example_study, TMPDIR=str(temp), **argv_env)
    terminal.expect("Who will be able to read it: you.")
    terminal.expect("It stays private: only you can read it.")
    terminal.expect(INTRO)
    terminal.expect("press Enter on an empty line")
    terminal.expect("prosper-coop support")
    terminal.expect("What happened?")
    terminal.type(f"A workshop, and {MARKER} came up.\n")
    terminal.type("A second line.\n\n")
    terminal.expect("How did it feel?")
    terminal.type(f"Heavy, then lighter {FELT}\n\n")
    terminal.expect("Is there anything you want the team to know?")
    terminal.type("\n")  # skipped
    terminal.expect("You answered 2 of 3 questions.")
    terminal.expect("Would you like to save it?")
    terminal.type("\n")  # Enter saves
    code, shown = terminal.finish()
    assert code == 0, shown
    assert "Saved your reflection (RF-0004)." in shown
    assert "Traceback" not in shown

    assert git(example_study, "rev-parse", "HEAD~1").strip() == before
    assert git(example_study, "log", "-1", "--format=%an|%s").strip() == (
        "CR-01|wellbeing: reflection (RF-0004)"
    )
    assert git(example_study, "status", "--porcelain") == ""
    act_as(monkeypatch, "CR-01")
    shown_json = cli("--study", str(example_study.root), "reflect", "show", "RF-0004", "--json")
    assert shown_json.exit_code == 0, shown_json.output
    assert json.loads(shown_json.stdout)["text"] == (
        f"## What happened\n\nA workshop, and {MARKER} came up.\nA second line.\n\n"
        f"## How it felt\n\nHeavy, then lighter {FELT}\n"
    )
    listed = cli("--study", str(example_study.root), "reflect", "list", "--mine")
    assert "RF-0004" in listed.stdout and "##" not in listed.stdout  # its words, not a heading

    config = Path(os.environ["PROSPER_COOP_CONFIG_DIR"])
    for words in (MARKER, FELT):
        assert words.encode() not in all_objects(example_study)
        assert _files_holding(example_study.root, words) == []  # .git included
        assert _files_holding(temp, words) == []
        assert _files_holding(config, words) == []
        assert _files_holding(Path(os.environ["HOME"]), words) == []
        assert not any(words.encode() in held for held in _own_shm_files().values())
        assert not any(words in arg for argv in recorded_argv(argv_log) for arg in argv)
    assert list(temp.iterdir()) == []  # nothing at all was written to the temp folder
    assert set(_own_shm_files()) <= set(shm_before)
    assert any("commit-tree" in argv for argv in recorded_argv(argv_log))  # git did run


def test_leaving_without_saving_saves_nothing(example_study) -> None:
    before = state(example_study)
    terminal = _start(example_study)
    terminal.expect("What happened?")
    terminal.type(f"{MARKER}\n\n\n\n")  # one answer, two skipped
    terminal.expect("Would you like to save it?")
    terminal.type("perhaps\n")
    terminal.expect("Please type yes to save it, or no to leave without saving.")
    terminal.type("No\n")
    code, shown = terminal.finish()
    assert code == 0, shown
    assert "You left without saving. Nothing you wrote was kept." in shown
    assert "Saved" not in shown
    assert state(example_study) == before
    assert MARKER.encode() not in all_objects(example_study)


@pytest.mark.parametrize(
    ("typed", "then", "key"),
    [
        (f"{MARKER} and half a thou", None, "\x03"),
        (f"{MARKER}\n\n", "How did it feel?", "\x04"),
        (f"{MARKER}\n\n\n\n", "Would you like to save it?", "\x03"),
        (f"{MARKER}\n\n\n\n", "Would you like to save it?", "\x04"),
    ],
    ids=["ctrl-c-mid-answer", "ctrl-d-at-a-question", "ctrl-c-at-save", "ctrl-d-at-save"],
)
def test_stopping_part_way_saves_nothing_and_ends_calmly(
    example_study, typed: str, then: str | None, key: str
) -> None:
    before = state(example_study)
    terminal = _start(example_study)
    terminal.expect("What happened?")
    # As a person types: once the question waits for an answer (typed any sooner, the
    # keys race the program's own start on a busy machine, which no person can do).
    terminal.wait_until_reading()
    terminal.type(typed)
    if then:
        terminal.expect(then)
    terminal.wait_until_reading()
    terminal.type(key)
    code, shown = terminal.finish()
    assert code == ExitCode.INTERRUPTED, shown
    assert "Stopped. Your reflection was not saved, and nothing you typed was kept." in shown
    assert "Traceback" not in shown and "Error" not in shown
    assert state(example_study) == before
    assert MARKER.encode() not in all_objects(example_study)


# -- in-process: stdin stands in for the terminal ----------------------------------------
@pytest.fixture
def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands behave as at a terminal (the answers come from the runner's input)."""
    from prosper_coop.cli import private_input

    monkeypatch.setattr(private_input, "has_terminal", lambda: True)


def test_skipping_every_question_saves_nothing(example_study, cli, monkeypatch, at_a_terminal):
    act_as(monkeypatch, "CR-01")
    before = state(example_study)
    result = cli("--study", str(example_study.root), "reflect", input="\n\n\n")
    assert result.exit_code == 0, result.output
    assert "You skipped every question, so there is nothing to save. That is okay." in (
        result.stderr
    )
    assert "Would you like to save it?" not in result.stderr
    assert state(example_study) == before


def test_shared_reflection_says_who_reads_it_first_and_quiet_still_asks(
    example_study, cli, monkeypatch, at_a_terminal
) -> None:
    act_as(monkeypatch, "CR-02")
    root = str(example_study.root)
    result = cli("--study", root, "reflect", "--share", "--wp", "WP4", "--quiet",
                 input="We met.\n\n\nMore time, please.\n\nyes\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    said = result.stderr
    assert said.index("Who will be able to read it: you and the analysis team (") < (
        said.index("What happened?")
    )
    assert "You chose --share, so the analysis team will be able to read it too." in said
    assert "Saved your reflection" not in said  # --quiet hides the report, not the questions
    act_as(monkeypatch, "AC-04")
    shown = cli("--study", root, "reflect", "show", "RF-0004", "--json")
    record = json.loads(shown.stdout)
    assert record["shared"] is True and record["wp"] == "WP4"
    assert record["text"] == (
        "## What happened\n\nWe met.\n\n## What I want the team to know\n\nMore time, please.\n"
    )


def test_no_key_is_said_before_any_question(example_study, cli, monkeypatch, at_a_terminal):
    act_as(monkeypatch, "CR-05")  # has not set up a key
    before = state(example_study)
    result = cli("--study", str(example_study.root), "reflect", input=f"{MARKER}\n\n\n\nyes\n")
    assert result.exit_code == ExitCode.KEY, result.output
    assert "you need a key" in result.stderr and "What happened?" not in result.stderr
    assert state(example_study) == before


def test_the_study_chooses_its_own_questions(example_study, cli, monkeypatch, at_a_terminal):
    (example_study.root / "wellbeing" / "reflection.yaml").write_text(
        "questions:\n  - heading: One thing I learned\n    question: What did you learn?\n",
        encoding="utf-8",
    )
    git(example_study, "add", "wellbeing")
    git(example_study, "-c", "user.name=CO-02", "-c", "user.email=c@x.invalid",
        "commit", "-qm", "questions")  # fmt: skip
    act_as(monkeypatch, "CR-01")
    root = str(example_study.root)
    result = cli("--study", root, "reflect", input="To \x1b[Dlisten\x07.\n\n\n")
    assert result.exit_code == 0, result.output
    assert "What did you learn?" in result.stderr and INTRO not in result.stderr
    assert "To skip a question, just press Enter." in result.stderr  # said by the tool
    assert "What happened?" not in result.stderr
    shown = cli("--study", root, "reflect", "show", "RF-0004", "--json")
    # Key codes (an arrow, a bell) typed into an answer are left out of it.
    assert json.loads(shown.stdout)["text"] == "## One thing I learned\n\nTo listen.\n"


def test_a_broken_questions_file_is_named_and_nothing_is_asked(
    example_study, cli, monkeypatch, at_a_terminal
) -> None:
    path = example_study.root / "wellbeing" / "reflection.yaml"
    path.write_text("questions:\n  - heading: Only a heading\n", encoding="utf-8")
    act_as(monkeypatch, "CR-01")
    result = cli("--study", str(example_study.root), "reflect", input=f"{MARKER}\n\nyes\n")
    assert result.exit_code == ExitCode.INVALID, result.output
    assert "Error: questions.0: every question needs a heading and a question" in result.stderr
    assert "(wellbeing/reflection.yaml)" in result.stderr
    assert "Traceback" not in result.output


def test_an_editor_if_chosen_is_still_used(example_study, cli, monkeypatch, at_a_terminal):
    editor = Path.cwd() / "editor.sh"
    editor.write_text("#!/bin/sh\nprintf 'From the editor\\n' >> \"$1\"\n")
    editor.chmod(0o700)
    monkeypatch.setenv("VISUAL", str(editor))
    act_as(monkeypatch, "CR-01")
    root = str(example_study.root)
    result = cli("--study", root, "reflect", input="")
    assert result.exit_code == 0, result.output
    assert "What happened?" not in result.stderr
    shown = cli("--study", root, "reflect", "show", "RF-0004", "--json")
    assert json.loads(shown.stdout)["text"].strip() == "From the editor"


def test_a_very_long_answer_ends_at_the_limit(example_study, cli, monkeypatch, at_a_terminal):
    from prosper_coop.wellbeing import reflections

    monkeypatch.setattr(reflections, "MAX_CHARS", 60)
    act_as(monkeypatch, "CR-01")
    root = str(example_study.root)
    result = cli("--study", root, "reflect", input="x" * 200 + "\n\n\nyes\n")
    assert result.exit_code == 0, result.output
    assert "That is as long as an answer can be, so it ends here." in result.stderr
    shown = cli("--study", root, "reflect", "show", "RF-0004", "--json")
    text = json.loads(shown.stdout)["text"]
    assert len(text) <= 60 and text.startswith("## What happened\n\nxxx")


@pytest.mark.parametrize(
    ("option", "code"),
    [(["--wp", "WP9"], ExitCode.NOT_FOUND), (["--tag", "Bad Tag"], ExitCode.USAGE)],
    ids=["unknown-wp", "bad-tag"],
)
def test_details_that_cannot_be_saved_are_refused_before_any_question(
    example_study, cli, monkeypatch, at_a_terminal, option: list[str], code: ExitCode
) -> None:
    act_as(monkeypatch, "CR-01")
    before = state(example_study)
    root = str(example_study.root)
    result = cli("--study", root, "reflect", *option, input=f"{MARKER}\n\n\n\nyes\n")
    assert result.exit_code == code, result.output
    assert "What happened?" not in result.stderr and "Error: " in result.stderr
    assert state(example_study) == before
