"""Who acts is never silent, and only signed, permitted changes count on every clone.

Each person works from their own config folder (their own computer): keys made by
``join`` live there and nowhere else. Commits are checked with real ``ssh-keygen``
signatures; forged and hand-made commits are made with real git.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from prosper_coop.core.study import Study
from prosper_coop.crypto import keys
from tests.helpers import git, head

pytestmark = pytest.mark.skipif(
    shutil.which("ssh-keygen") is None,
    reason="needs OpenSSH's ssh-keygen: sudo apt-get install openssh-client",
)


def computer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str) -> Path:
    """Switch to another person's computer: their own config folder, nobody acting by env."""
    folder = tmp_path / "computers" / name
    folder.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("PROSPER_COOP_CONFIG_DIR", str(folder))
    monkeypatch.delenv("PROSPER_COOP_AS", raising=False)
    keys.forget_unlocked()
    return folder


def add_person(cli, root: str, role: str, alias: str) -> str:
    result = cli("--study", root, "people", "add", "--role", role, "--alias", alias)
    assert result.exit_code == 0, result.output
    return result.output.split("Added ", 1)[1].split(" ", 1)[0]


@pytest.fixture
def team(empty_study: Study, cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """A new study: CO-01 (who ran init), CR-01 and CR-02 who each joined from their computer."""
    root = str(empty_study.root)
    coordinator = Path(str(__import__("os").environ["PROSPER_COOP_CONFIG_DIR"]))
    cr01 = add_person(cli, root, "co-researcher", "Co-researcher A")
    cr02 = add_person(cli, root, "co-researcher", "Co-researcher B")
    wb = add_person(cli, root, "wellbeing-lead", "Wellbeing lead")
    homes = {"CO-01": coordinator}
    for person in (cr01, cr02, wb):
        homes[person] = computer(monkeypatch, tmp_path, person)
        result = cli("--study", root, "join", person)
        assert result.exit_code == 0, result.output
    return empty_study, homes, (cr01, cr02, wb)


def use(monkeypatch: pytest.MonkeyPatch, homes: dict[str, Path], person: str) -> None:
    monkeypatch.setenv("PROSPER_COOP_CONFIG_DIR", str(homes[person]))
    monkeypatch.delenv("PROSPER_COOP_AS", raising=False)
    keys.forget_unlocked()


def signed_commit(study: Study, key: Path, author: str, message: str) -> None:
    """Commit everything staged with real git, signed with ``key``, as ``author`` (maybe forged)."""
    env = {
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": f"{author}@example.invalid",
        "GIT_COMMITTER_NAME": author,
        "GIT_COMMITTER_EMAIL": f"{author}@example.invalid",
    }
    git(study, "add", "-A")
    git(
        study,
        "-c",
        "gpg.format=ssh",
        "-c",
        f"user.signingKey={key}",
        "commit",
        "-S",
        "--no-verify",
        "-q",
        "-m",
        message,
        env=env,
    )


def key_of(homes: dict[str, Path], study: Study, person: str) -> Path:
    """Where ``person``'s private signing key is on their own computer."""
    return homes[person] / "keys" / "signing" / study.settings.uid / person


def grant_in_file(study: Study, person: str, role: str) -> None:
    path = study.root / "people" / f"{person}.yaml"
    text = path.read_text()
    path.write_text(text.replace("roles:\n", f"roles:\n- {role}\n", 1))


def verified_roles(study: Study) -> dict[str, list[str]]:
    from prosper_coop.trust.state import trusted_people

    return {
        pid: [str(r) for r in person.roles]
        for pid, person in trusted_people(Study(study.root)).items()
    }


# -- 1. no silent identity -------------------------------------------------------------
def test_a_fresh_computer_records_nothing_and_points_to_join(
    empty_study, cli, monkeypatch, tmp_path
) -> None:
    root = str(empty_study.root)
    before = head(empty_study)
    computer(monkeypatch, tmp_path, "new-laptop")

    result = cli("--study", root, "checkin", "-d", "2", "--contact", "no")
    assert result.exit_code == 10, result.output
    assert "prosper-coop join" in result.output
    assert "CO-01" not in result.output  # never "saved as the coordinator"
    for args in (("task", "mine"), ("reflect", "list")):
        result = cli("--study", root, *args)
        assert result.exit_code == 10, (args, result.output)
    assert head(empty_study) == before

    support = cli("--study", root, "support")
    assert support.exit_code == 0, support.output


def test_acting_as_someone_who_has_not_joined_here_is_refused(
    team, cli, monkeypatch, tmp_path
) -> None:
    study, homes, (cr01, _cr02, _wb) = team
    use(monkeypatch, homes, "CO-01")
    monkeypatch.setenv("PROSPER_COOP_AS", cr01)  # CR-01's key is on their computer, not here
    before = head(study)
    result = cli("--study", str(study.root), "checkin", "-d", "2", "--contact", "no")
    assert result.exit_code == 10, result.output
    assert head(study) == before


# -- 2. join ---------------------------------------------------------------------------
def test_join_commits_public_keys_signed_with_the_new_key(team, cli, monkeypatch, tmp_path) -> None:
    study, homes, (cr01, _cr02, _wb) = team
    use(monkeypatch, homes, cr01)
    record = (study.root / "people" / f"{cr01}.yaml").read_text()
    assert "signing_key: ssh-ed25519 " in record
    assert "age_recipient: age1" in record
    assert cli("--study", str(study.root), "whoami").output.strip() == cr01

    # git's own verification, with an allowed-signers list built from the person records.
    public = record.split("signing_key: ", 1)[1].splitlines()[0]
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"{cr01}@prosper-coop.invalid {public}\n")
    join_commit = git(study, "log", "--format=%H", "--author", cr01, "-1").strip()
    checked = subprocess.run(
        ["git", "-c", f"gpg.ssh.allowedSignersFile={allowed}", "verify-commit", join_commit],
        cwd=study.root,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    assert "Good" in checked.stderr

    # The private keys stay in this person's config folder, never in the study.
    assert key_of(homes, study, cr01).is_file()
    assert not any(
        "PRIVATE KEY" in p.read_text(errors="replace")
        for p in study.root.rglob("*")
        if p.is_file() and ".git" not in p.parts
    )
    assert cli("--study", str(study.root), "doctor").exit_code == 0


def test_every_commit_the_tool_makes_is_signed(team, cli, monkeypatch) -> None:
    study, homes, (cr01, _cr02, _wb) = team
    use(monkeypatch, homes, cr01)
    result = cli("--study", str(study.root), "checkin", "-d", "1", "--contact", "no")
    assert result.exit_code == 0, result.output
    commits = git(study, "rev-list", "HEAD").split()
    assert len(commits) >= 6
    for sha in commits:
        assert "\ngpgsig -----BEGIN SSH SIGNATURE-----" in git(study, "cat-file", "commit", sha)


# -- 5. history verified on every clone --------------------------------------------------
def test_a_self_granted_role_is_reported_and_never_counts(team, cli, monkeypatch) -> None:
    study, homes, (cr01, cr02, wb) = team
    # CR-02 runs a modified tool: a commit signed with their own real key grants them
    # the wellbeing lead's role.
    grant_in_file(study, cr02, "wellbeing-lead")
    signed_commit(study, key_of(homes, study, cr02), cr02, "people: edit (CR-02)")

    assert "wellbeing-lead" not in verified_roles(study)[cr02]
    use(monkeypatch, homes, "CO-01")
    doctor = cli("--study", str(study.root), "doctor")
    assert doctor.exit_code == 4, doctor.output
    assert f"by {cr02}: changed {cr02}'s roles or status" in doctor.output
    status = cli("--study", str(study.root), "status")
    assert status.exit_code == 0
    assert "not signed by someone allowed" in status.output

    # The rest of the team works on: CR-01 checks in; CR-02 is not a reader of it.
    use(monkeypatch, homes, cr01)
    result = cli("--study", str(study.root), "checkin", "-d", "2", "--contact", "no")
    assert result.exit_code == 0, result.output
    assert cr02 not in result.output
    assert wb in result.output or "wellbeing lead" in result.output


@pytest.mark.skipif(shutil.which("age") is None, reason="needs age: sudo apt-get install age")
def test_the_age_cli_shows_a_self_granted_reader_cannot_decrypt(
    team, cli, monkeypatch, tmp_path
) -> None:
    study, homes, (cr01, cr02, wb) = team
    grant_in_file(study, cr02, "wellbeing-lead")
    signed_commit(study, key_of(homes, study, cr02), cr02, "people: edit (CR-02)")
    use(monkeypatch, homes, cr01)
    result = cli("--study", str(study.root), "checkin", "-d", "2", "--contact", "no")
    assert result.exit_code == 0, result.output
    added = git(study, "show", "HEAD", "--name-only", "--format=").split()
    sealed = next(p for p in added if p.startswith("checkins/"))
    blob = subprocess.run(
        ["git", "show", f"HEAD:{sealed}"], cwd=study.root, capture_output=True, check=True
    ).stdout

    def decrypts(person: str) -> bool:
        use(monkeypatch, homes, person)
        out = tmp_path / f"{person}.key"
        exported = cli("--study", str(study.root), "keys", "export", "--out", str(out))
        assert exported.exit_code == 0, exported.output
        done = subprocess.run(
            ["age", "--decrypt", "--identity", str(out)], input=blob, capture_output=True
        )
        return done.returncode == 0

    assert decrypts(wb)
    assert not decrypts(cr02)


def test_a_forged_author_name_is_reported(team, cli, monkeypatch) -> None:
    study, homes, (cr01, _cr02, _wb) = team
    grant_in_file(study, cr01, "coordinator")
    # Signed with CR-01's key but claiming to be the coordinator.
    signed_commit(study, key_of(homes, study, cr01), "CO-01", "people: edit (CR-01)")
    assert "coordinator" not in verified_roles(study)[cr01]
    use(monkeypatch, homes, "CO-01")
    doctor = cli("--study", str(study.root), "doctor")
    assert doctor.exit_code == 4
    assert "by CO-01: signed by a key that is not CO-01's" in doctor.output


def test_an_unsigned_hand_commit_is_reported(team, cli, monkeypatch) -> None:
    study, homes, (cr01, _cr02, _wb) = team
    grant_in_file(study, cr01, "safeguarding-lead")
    git(study, "add", "-A")
    git(
        study,
        "commit",
        "--no-verify",
        "-q",
        "-m",
        "hand edit",
        env={
            "GIT_AUTHOR_NAME": cr01,
            "GIT_AUTHOR_EMAIL": "x@example.invalid",
            "GIT_COMMITTER_NAME": cr01,
            "GIT_COMMITTER_EMAIL": "x@example.invalid",
        },
    )
    assert "safeguarding-lead" not in verified_roles(study)[cr01]
    use(monkeypatch, homes, "CO-01")
    doctor = cli("--study", str(study.root), "doctor")
    assert doctor.exit_code == 4
    assert f"by {cr01}: not signed" in doctor.output


def test_a_role_the_coordinator_grants_counts(team, cli, monkeypatch) -> None:
    study, homes, (_cr01, cr02, _wb) = team
    use(monkeypatch, homes, "CO-01")
    result = cli("--study", str(study.root), "people", "edit", cr02, "--add-role", "ppi-lead")
    assert result.exit_code == 0, result.output
    assert "ppi-lead" in verified_roles(study)[cr02]
    assert cli("--study", str(study.root), "doctor").exit_code == 0


def test_verification_is_cached_per_commit(team) -> None:
    study, _homes, _people = team
    from prosper_coop.trust.verify import verify

    first = verify(Study(study.root))
    assert first.ok, [f.describe() for f in first.findings]
    cache = study.root / ".git" / "prosper-coop-trust" / "trust.json"
    signatures = (study.root / ".git" / "prosper-coop-trust" / "signatures.txt").read_text()
    assert len(signatures.splitlines()) == len(git(study, "rev-list", "HEAD").split())
    assert head(study) in cache.read_text()


# -- 6. a lost key ---------------------------------------------------------------------
def test_a_lost_key_is_replaced_and_counts_once_a_coordinator_confirms(
    team, cli, monkeypatch, tmp_path
) -> None:
    study, homes, (cr01, _cr02, _wb) = team
    root = str(study.root)
    old_key = (study.root / "people" / f"{cr01}.yaml").read_text()
    homes[cr01] = computer(monkeypatch, tmp_path, "cr01-new-laptop")  # the old one is gone
    refused = cli("--study", root, "join", cr01)
    assert refused.exit_code == 5, refused.output
    assert "--replace" in refused.output

    joined = cli("--study", root, "join", cr01, "--replace")
    assert joined.exit_code == 0, joined.output
    assert "keys confirm" in joined.output
    assert (study.root / "people" / f"{cr01}.yaml").read_text() != old_key
    # Not yet: the new key is not the verified one.
    from prosper_coop.trust.signing import fingerprint
    from prosper_coop.trust.state import trusted_people

    new_key = (study.root / "people" / f"{cr01}.yaml").read_text().split("signing_key: ")[1]
    new_key = new_key.splitlines()[0]
    assert trusted_people(Study(study.root))[cr01].signing_key != new_key
    use(monkeypatch, homes, "CO-01")
    assert cli("--study", root, "doctor").exit_code == 4

    # A co-researcher cannot confirm keys; the coordinator can, after checking the fingerprint.
    use(monkeypatch, homes, _cr02)
    assert cli("--study", root, "keys", "confirm", cr01).exit_code == 9
    use(monkeypatch, homes, "CO-01")
    confirmed = cli("--study", root, "keys", "confirm", cr01)
    assert confirmed.exit_code == 0, confirmed.output
    assert fingerprint(new_key) in confirmed.output
    assert trusted_people(Study(study.root))[cr01].signing_key == new_key
    doctor = cli("--study", root, "doctor")
    assert doctor.exit_code == 0, doctor.output
    assert "settled since" in doctor.output

    # CR-01's changes from the new laptop count again.
    use(monkeypatch, homes, cr01)
    assert cli("--study", root, "checkin", "-d", "1", "--contact", "no").exit_code == 0
    use(monkeypatch, homes, "CO-01")
    assert cli("--study", root, "doctor").exit_code == 0


def test_plain_git_checks_signatures_with_the_verified_signers(team, cli, monkeypatch) -> None:
    study, homes, _people = team
    use(monkeypatch, homes, "CO-01")
    assert cli("--study", str(study.root), "doctor").exit_code == 0
    shown = subprocess.run(
        [
            "git",
            "-c",
            "gpg.ssh.allowedSignersFile=.git/prosper-coop-trust/allowed_signers",
            "log",
            "--format=%an %G? %GS",
        ],
        cwd=study.root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert shown and all(line.split()[1] == "G" for line in shown), shown
    assert all(line.split()[0] == line.split()[2] for line in shown), shown
