"""The line that must never be crossed: no sensitive plaintext in any git object.

Known marker strings are written through every command that takes sensitive
text; then every object in the repository is scanned for them. The same markers
must not appear in shared outputs (status, alerts, log, doctor) either.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.helpers import act_as, all_objects, git

MARKERS = {
    "checkin_flag": "MARKER-CHECKIN-FLAG-7f3a",
    "checkin_prompt": "MARKER-CHECKIN-PROMPT-1b9c",
    "reflect_private": "MARKER-REFLECT-PRIVATE-22d1",
    "reflect_shared": "MARKER-REFLECT-SHARED-90ab",
    "reflect_stdin": "MARKER-REFLECT-STDIN-4e4e",
    "plan": "MARKER-PLAN-c0de",
    "resolve": "MARKER-RESOLVE-5150",
    "distress_answer": "MARKER-DISTRESS-ANSWER-77aa",
    "distress_note": "MARKER-DISTRESS-NOTE-88bb",
    "distress_participant": "MARKER-PARTICIPANT-99cc",
    "identity_name": "MARKER-IDENTITY-NAME-abcd",
    "identity_email": "marker-identity@example.invalid",
    "identity_phone": "MARKER-PHONE-0700",
}


def test_no_marker_reaches_any_git_object(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)

    def run(*args: str, input: str | None = None) -> None:
        result = cli("--study", root, *args, input=input)
        assert result.exit_code == 0, result.output

    act_as(monkeypatch, "CR-01")
    run(
        "checkin", "--distress", "8", "--contact", "yes", "--from-stdin",
        input=f"note: {MARKERS['checkin_flag']}\n",
    )  # fmt: skip
    run("checkin", input=f"2\nno\n{MARKERS['checkin_prompt']}\n")
    run("reflect", "--wp", "WP4", "--tag", "interviews", input=MARKERS["reflect_private"])
    run("reflect", "--share", input=MARKERS["reflect_shared"])
    run("reflect", input=MARKERS["reflect_stdin"] + "\nsecond line\n")
    run("wellbeing", "plan", input=f"what-helps: {MARKERS['plan']}\nin-a-crisis: {MARKERS['plan']}")

    act_as(monkeypatch, "WB-01")
    run("wellbeing", "resolve", "A-0005", input=MARKERS["resolve"])

    act_as(monkeypatch, "SG-01")
    run(
        "distress", "run", "--session", "S-0005", "--participant",
        MARKERS["distress_participant"], "--from-stdin",
        "-a", "signs=yes", "-a", "able=no", "-a", "safe=yes", "-a", "continue=no",
        "-a", "consent-contact=no", "-a", "follow-up=yes",
        input=f"thoughts: {MARKERS['distress_answer']}\nnote: {MARKERS['distress_note']}\n",
    )  # fmt: skip

    act_as(monkeypatch, "CO-01")
    run(
        "people", "identity", "set", "CR-02",
        input=f"name: {MARKERS['identity_name']}\nemail: {MARKERS['identity_email']}\n"
        f"phone: {MARKERS['identity_phone']}\n",
    )  # fmt: skip
    # Re-encrypting writes every record again: still no plaintext.
    run("keys", "rekey", "--yes")
    act_as(monkeypatch, "WB-01")
    run("keys", "rekey", "checkin", "--yes")

    assert git(example_study, "status", "--porcelain") == ""
    objects = all_objects(example_study)
    assert b"MARKER" not in objects.upper()
    for marker in MARKERS.values():
        assert marker.encode() not in objects, marker
    # Loose files in the working tree are encrypted too (not only committed objects).
    for folder in (
        "checkins", "reflections", "plans", "incidents", "identities", "alerts", "resolutions"
    ):  # fmt: skip
        for path in (example_study.root / folder).rglob("*.age"):
            assert path.read_bytes().startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")

    # And the words are really there for the right readers.
    act_as(monkeypatch, "CO-01")
    shown = cli("--study", root, "people", "identity", "show", "CR-02")
    assert MARKERS["identity_name"] in shown.stdout
    act_as(monkeypatch, "SG-01")
    shown = cli("--study", root, "distress", "show", "I-0002")
    assert MARKERS["distress_answer"] in shown.stdout

    # Shared outputs never carry the words.
    act_as(monkeypatch, "CO-01")
    for args in (
        ("status", "--json"),
        ("status",),
        ("wellbeing", "alerts", "--json"),
        ("log", "--json"),
        ("doctor", "--json"),
        ("keys", "list", "--json"),
    ):
        result = cli("--study", root, *args)
        assert "MARKER" not in result.output.upper(), args
        assert MARKERS["identity_email"] not in result.output


def test_hook_blocks_a_hand_made_plaintext_commit(example_study) -> None:
    leak = example_study.root / "checkins" / "CR-01" / "CI-0099.age"
    leak.write_text("person: CR-01\nnote: MARKER-HAND-COMMIT\n")
    git(example_study, "add", "-A")
    before = git(example_study, "rev-parse", "HEAD")
    commit = subprocess.run(
        ["git", "-c", "user.name=Someone", "-c", "user.email=s@example.invalid", "commit",
         "-m", "sneak"],
        cwd=example_study.root, capture_output=True, text=True,
    )  # fmt: skip
    assert commit.returncode != 0, commit.stdout + commit.stderr
    assert "sensitive records must be encrypted" in commit.stdout + commit.stderr
    assert git(example_study, "rev-parse", "HEAD") == before
    # git stored the staged blob, but no commit, tree or ref reaches it.
    reachable = git(example_study, "rev-list", "--objects", "--all")
    blob = git(example_study, "rev-parse", ":checkins/CR-01/CI-0099.age").strip()
    assert blob not in reachable


@pytest.mark.parametrize(
    "folder",
    ["reflections/CR-01", "identities", "plans", "incidents", "alerts/CR-01", "resolutions"],
)
def test_tool_refuses_plaintext_in_every_sensitive_folder(example_study, folder) -> None:
    from prosper_coop.core.errors import ValidationError

    with (
        pytest.raises(ValidationError, match="must be encrypted"),
        example_study.change("test", "leak") as change,
    ):
        change.write_text(f"{folder}/X-0001.age", "plain words")
    assert git(example_study, "status", "--porcelain") == ""
