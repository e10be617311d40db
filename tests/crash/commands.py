"""Every command of the command line: the mutating ones with valid arguments, and the rest.

``MUTATING`` lists each command that changes a study, the user's keys or settings,
with arguments that succeed against the PROSPER example study (as the person
allowed to run it). ``READ_ONLY`` lists the commands that change nothing. A test
walks the real Typer tree and fails when a command is in neither, so a new
command cannot escape the kill harness.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.crash.harness import Command, git, run_tool

# Commands that change nothing (they may write a file only where the user names it,
# outside the study, e.g. ``task export --output``), by their words in the Typer tree.
# ``doctor`` is not here: ``doctor --fix`` changes the study, so it is in MUTATING.
READ_ONLY = {
    "status", "log", "schema", "support", "readability", "permissions", "help", "calendar",
    "people list", "people show", "people identity show",
    "checklist list", "checklist show", "checklist status",
    "session list", "session show",
    "task list", "task mine", "task show", "task board", "task timeline", "task export",
    "wp list", "wp show", "wp progress",
    "reflect list", "reflect show",
    "wellbeing alerts", "wellbeing show",
    "keys show", "keys list", "keys export", "keys waiting",
    "distress show",
    "findings list", "findings show",
    "rec list", "rec show",
    "involve list", "involve report",
    "site list", "recruit status", "participant list", "participant contact show",
    "survey status",
}  # fmt: skip

# Answers for a checklist walk that fit whatever item comes next: "y" ticks it, and
# "2026-11-20" is a good date and a good note; where no evidence is asked, it is
# refused as an answer to "Done?" and the next "y" is taken. So a walk resumed
# after a kill ticks the same items the same way.
WALK_ANSWERS = "y\n2026-11-20\n" * 14

DISTRESS_STAGE2 = (
    "-a", "signs=yes", "-a", "able=no", "-a", "safe=yes", "-a", "continue=no",
    "-a", "consent-contact=no", "-a", "follow-up=yes",
)  # fmt: skip


# -- start states (each made once per session from a copy of the example) ----------------
def _tool(tpl: Path, *args: str, actor: str = "CO-01", cwd: str = "study", stdin: str = "") -> None:
    done = run_tool(tpl, args, actor=actor, cwd=cwd, stdin=stdin)
    assert done.returncode == 0, f"preparing with {args} failed: {done.stdout}{done.stderr}"


def hand_edit(tpl: Path) -> None:
    """Two records edited by hand, not yet saved."""
    for name, old, new in (
        ("tasks/00/T-0014.yaml", "Site 4: interviews", "Site 4: all interviews"),
        ("tasks/00/T-0023.yaml", "title: Plan", "title: Plan and book"),
    ):
        path = tpl / "study" / name
        text = path.read_text()
        assert old in text, (name, text)
        path.write_text(text.replace(old, new, 1))


def with_remote(tpl: Path) -> None:
    """A bare remote next to the study (``remote.git``), the study pushed to it."""
    subprocess_git(tpl, "init", "-q", "--bare", "--initial-branch=main", str(tpl / "remote.git"))
    _tool(tpl, "remote", "set", str(tpl / "remote.git"))
    _tool(tpl, "sync")


def diverged(tpl: Path) -> None:
    """Another computer and this one both changed the study since the last sync.

    Both added a task (the same next ID, so sync renumbers one), both noted the same
    task (the merge driver meets), and this one finished a task.
    """
    with_remote(tpl)
    _tool(tpl, "clone", str(tpl / "remote.git"), "other", cwd=".")
    _tool(tpl, "task", "add", "WP4", "Book rooms for the workshops", cwd="other")
    _tool(tpl, "task", "note", "T-0014", "Site 4 confirmed by phone", cwd="other")
    _tool(tpl, "sync", cwd="other")
    _tool(tpl, "task", "add", "WP4", "Send the workshop invitations")
    _tool(tpl, "task", "note", "T-0014", "Site 4 asked for a later date")
    _tool(tpl, "task", "done", "T-0012")
    shutil.rmtree(tpl / "other")


def conflicted(tpl: Path) -> None:
    """A field changed to different values on two computers, recorded by sync."""
    with_remote(tpl)
    _tool(tpl, "clone", str(tpl / "remote.git"), "other", cwd=".")
    _tool(tpl, "task", "edit", "T-0014", "--title", "Site 4: interviews (other)", cwd="other")
    _tool(tpl, "sync", cwd="other")
    _tool(tpl, "task", "edit", "T-0014", "--title", "Site 4: interviews (here)")
    _tool(tpl, "sync")
    assert "conflicts:" in (tpl / "study/tasks/00/T-0014.yaml").read_text()
    shutil.rmtree(tpl / "other")


def onboarding_nearly_done(tpl: Path) -> None:
    """CR-05's onboarding (C-0006) with three items left: a note, an optional one, a date."""
    for item in ("training-trauma-informed", "training-data-protection", "training-distress-protocol", "wellbeing-plan"):
        _tool(tpl, "checklist", "tick", "C-0006", item, "--date", "2026-11-20")


def session_started(tpl: Path) -> None:
    """Session S-0003 has started (its safeguarding checklist is complete)."""
    _tool(tpl, "session", "start", "S-0003")


def bare_remote(tpl: Path) -> None:
    """An empty bare remote, not yet set."""
    subprocess_git(tpl, "init", "-q", "--bare", "--initial-branch=main", str(tpl / "remote.git"))


def task_changed(tpl: Path) -> None:
    """CO-01's latest change is a task change (for ``task undo``)."""
    _tool(tpl, "task", "done", "T-0024")


def import_file(tpl: Path) -> None:
    """A CSV file outside the study: one task updated, one new."""
    files = tpl / "files"
    files.mkdir(exist_ok=True)
    (files / "tasks.csv").write_text(
        "id,wp,title,status,owner,due\n"
        "T-0014,WP3,Site 4: interviews with service staff,doing,AC-03,2026-12-21\n"
        ",WP4,Write up the co-analysis workshop notes,todo,CR-04,2027-01-20\n"
    )


def key_backup(tpl: Path) -> None:
    """A backup of CR-03's key outside the study, and the key gone from this computer."""
    files = tpl / "files"
    files.mkdir(exist_ok=True)
    _tool(tpl, "keys", "export", "--out", str(files / "cr03.key"), actor="CR-03")
    recipient = next(
        line.split(": ", 1)[1]
        for line in (tpl / "study/people/CR-03.yaml").read_text().splitlines()
        if line.startswith("age_recipient: ")
    )
    (tpl / "config" / "keys" / f"{recipient}.key").unlink()


def newcomer(tpl: Path) -> None:
    """The coordinator has added CR-07, who has not joined yet (``join`` makes their keys)."""
    _tool(tpl, "people", "add", "--role", "co-researcher", "--alias", "Newcomer", "--id", "CR-07")


def hook_missing(tpl: Path) -> None:
    """The pre-commit hook was deleted (``doctor --fix`` puts it back)."""
    (tpl / "study/.git/hooks/pre-commit").unlink()


def subprocess_git(tpl: Path, *args: str) -> None:
    """Real git in the template folder."""
    git(tpl, *args)


# -- the table -----------------------------------------------------------------------------
MUTATING: tuple[Command, ...] = (
    # study
    Command("init", ("init", "made", "--example", "prosper"), cwd=".", creates="made"),
    Command("init", ("init", "plain", "--title", "A small study", "--short-name", "SMALL", "--sponsor", "Example University"), cwd=".", creates="plain", label="init (empty)"),
    Command("save", ("save", "-m", "Correct two task titles"), prepare=hand_edit),
    Command("whoami", ("whoami", "CR-03")),
    Command("doctor", ("doctor", "--fix"), prepare=hook_missing, label="doctor --fix"),
    Command("onboard", ("onboard", "CR-05"), stdin=WALK_ANSWERS, steps=True, prepare=onboarding_nearly_done),
    Command("checkin", ("checkin", "--from-stdin"), actor="CR-01", stdin="distress: 8\ncontact: yes\nnote: A hard week\n"),
    Command("render", ("render", "lay-summary")),
    Command("report", ("report",)),
    # sync
    Command("sync", ("sync",), prepare=diverged, shared=True, steps=True),
    Command("clone", ("clone", "{trial}/remote.git", "cloned"), cwd=".", creates="cloned", prepare=with_remote),
    Command("resolve", ("resolve", "T-0014", "--take", "theirs", "--field", "title"), prepare=conflicted),
    Command("remote set", ("remote", "set", "{trial}/remote.git"), prepare=bare_remote),
    # people
    Command("people add", ("people", "add", "--role", "co-researcher", "--alias", "Co-researcher G")),
    Command("people edit", ("people", "edit", "CR-05", "--alias", "Co-researcher E (WP4)", "--add-role", "ppi-lead")),
    Command("people leave", ("people", "leave", "CR-04", "--reassign-to", "CR-03")),
    Command("people erase", ("people", "erase", "CR-02", "--yes")),
    Command("people identity set", ("people", "identity", "set", "CR-02"), stdin="name: Alex Example\nemail: alex@example.invalid\n"),
    # checklists, consent, sessions
    Command("checklist start", ("checklist", "start", "offboarding", "--for", "CR-05")),
    Command("checklist tick", ("checklist", "tick", "C-0022", "lone-working"), actor="SG-01"),
    Command("checklist untick", ("checklist", "untick", "C-0022", "helplines-ready"), actor="SG-01"),
    Command("checklist run", ("checklist", "run", "C-0022"), actor="SG-01", stdin=WALK_ANSWERS, steps=True),
    Command("consent record", ("consent", "record", "P-0005", "--form", "consent-participant", "--yes", "recording,quotes", "--no", "future-use,withdrawal-window")),
    Command("consent withdraw", ("consent", "withdraw", "P-0002", "--note", "Asked by e-mail")),
    Command("consent credit", ("consent", "credit", "CR-05", "--as", "pseudonym", "--display", "Wren")),
    Command("session add", ("session", "add", "--type", "interview", "--date", "2026-12-12", "--facilitators", "CR-03,AC-04", "--wp", "WP4")),
    Command("session start", ("session", "start", "S-0003")),
    Command("session close", ("session", "close", "S-0003", "--debrief", "CR-03=now", "--debrief", "AC-04=later"), prepare=session_started),
    # tasks and work packages
    Command("task add", ("task", "add", "WP4", "Book a room for the co-analysis workshop", "--owner", "CR-04", "--due", "2026-12-20")),
    Command("task edit", ("task", "edit", "T-0014", "--title", "Site 4: interviews", "--due", "2027-01-15")),
    Command("task start", ("task", "start", "T-0014")),
    Command("task done", ("task", "done", "T-0012")),
    Command("task block", ("task", "block", "T-0014", "--reason", "Waiting for the site's agreement")),
    Command("task reopen", ("task", "reopen", "T-0011", "--note", "Two interviews to redo")),
    Command("task assign", ("task", "assign", "T-0014", "CR-03")),
    Command("task note", ("task", "note", "T-0014", "Site 4 asked for a later date")),
    Command("task delete", ("task", "delete", "T-0030", "--yes")),
    Command("task undo", ("task", "undo"), prepare=task_changed),
    Command("task import", ("task", "import", "{trial}/files/tasks.csv"), prepare=import_file),
    Command("wp add", ("wp", "add", "WP6", "Dissemination", "--start", "2027-06-01", "--end", "2027-12-31", "--lead", "PPI-01")),
    Command("wp edit", ("wp", "edit", "WP5", "--summary", "Bring the findings of WP1-4 together.")),
    Command("wp milestone add", ("wp", "milestone", "add", "WP5", "Integration workshop held", "--due", "2027-04-01")),
    Command("wp milestone done", ("wp", "milestone", "done", "WP3", "M2")),
    # wellbeing and safeguarding (as the people allowed to)
    Command("reflect", ("reflect", "--wp", "WP4"), actor="CR-01", stdin="The interview today stayed with me.\n"),
    Command("wellbeing plan", ("wellbeing", "plan"), actor="CR-01", stdin="what-helps: A walk at lunchtime\n"),
    Command("wellbeing resolve", ("wellbeing", "resolve", "A-0004"), actor="WB-01", stdin="Called; agreed a catch-up\n"),
    Command("distress run", ("distress", "run", "--session", "S-0002", *DISTRESS_STAGE2), actor="SG-01"),
    Command("keys init", ("keys", "init"), actor="AC-02"),
    Command("keys import", ("keys", "import", "{trial}/files/cr03.key"), actor="CR-03", prepare=key_backup),
    Command("keys rekey", ("keys", "rekey", "--yes"), actor="WB-01"),
    Command("keys confirm", ("keys", "confirm", "CR-03")),
    Command("join", ("join", "CR-07"), actor="CR-07", prepare=newcomer),
    # findings and involvement
    Command("findings theme add", ("findings", "theme", "add", "TH7", "Waiting lists")),
    Command("findings theme edit", ("findings", "theme", "edit", "TH1", "--summary", "Short contracts make planning hard.")),
    Command("findings message add", ("findings", "message", "add", "TH1", "Services need funding for three years or more.")),
    Command("findings message remove", ("findings", "message", "remove", "TH1", "1")),
    Command("rec add", ("rec", "add", "Offer evening appointments.", "--audience", "providers", "--theme", "TH6")),
    Command("rec edit", ("rec", "edit", "R-010", "--priority", "medium")),
    Command("involve log", ("involve", "log", "CR-01", "--date", "2026-11-20", "--hours", "2", "--activity", "Co-analysis workshop")),
    # recruitment and surveys
    Command("site add", ("site", "add", "Area E (East)", "--region", "East of England")),
    Command("recruit target", ("recruit", "target", "--wp", "WP3", "--group", "commissioners and providers (interviews)", "--site", "SITE2", "--count", "6", "--by", "2027-02-28", "--curve", "2026-12-31:4")),
    Command("participant add", ("participant", "add", "--group", "victim-survivors (focus groups)", "--site", "SITE4")),
    Command("participant contact set", ("participant", "contact", "set", "P-0005"), stdin="name: Sam Example\nphone: 0000 000000\n"),
    Command("survey add", ("survey", "add", "Follow-up survey of commissioners", "--wp", "WP2", "--round", "3")),
    Command("survey invite", ("survey", "invite", "SV2", "--count", "20", "--org-type", "commissioner", "--region", "London", "--on", "2026-11-20")),
    Command("survey responses", ("survey", "responses", "SV2", "--count", "4", "--org-type", "commissioner", "--region", "London")),
)  # fmt: skip

BY_KEY = {command.key: command for command in MUTATING}

# What the normal suite runs (``make soak`` runs every command): these are killed while
# writing a file, and the first two at every git call in both modes (a change of one
# record, and an erasure); save and consent withdraw get every call in make soak.
SAMPLE = ("task done", "people erase", "save", "consent withdraw")
EVERY_CALL_SAMPLE = SAMPLE[:2]
