"""Study-wide commands: init, status, log, doctor, save, whoami, schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from prosper_coop.cli.common import PERSON, RECORD, AsJson, Quiet, open_study, output
from prosper_coop.core.errors import ExitCode


def register(app: typer.Typer) -> None:
    """Add the study-wide commands to the root app."""
    app.command()(init)
    app.command()(status)
    app.command("log")(log_)
    app.command()(doctor)
    app.command()(save)
    app.command()(schema)


def _detail(option: str, what: str, *aliases: str) -> Any:
    return typer.Option(option, *aliases, help=what, show_default=False)


def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create the study in.")],
    title: Annotated[str | None, _detail("--title", "The study's full title.", "-t")] = None,
    short_name: Annotated[
        str | None, _detail("--short-name", "A short name or acronym (at most 40 characters).")
    ] = None,
    iras_id: Annotated[
        str | None, _detail("--iras-id", "The study's IRAS ID (a number), if it has one yet.")
    ] = None,
    ethics_committee: Annotated[
        str | None, _detail("--ethics-committee", "The research ethics committee (REC).")
    ] = None,
    ethics_ref: Annotated[
        str | None, _detail("--ethics-ref", "The ethics committee's reference for the study.")
    ] = None,
    sponsor: Annotated[
        str | None, _detail("--sponsor", "The organisation that sponsors the study.")
    ] = None,
    funder: Annotated[str | None, _detail("--funder", "Who funds the study, if anyone.")] = None,
    award: Annotated[str | None, _detail("--award", "The funder's award or grant number.")] = None,
    coordinator: Annotated[
        str | None,
        _detail("--coordinator", "The coordinator's study ID (default CO-01): who runs the study."),
    ] = None,
    coordinator_alias: Annotated[
        str | None,
        _detail("--coordinator-alias", "The coordinator's pseudonymous label (never a real name)."),
    ] = None,
    example: Annotated[
        str | None, typer.Option("--example", help="Fill the study with an example: prosper.")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Create a new study: a git repository with the study layout and safety hook.

    At a terminal, init asks for the study's details (title, short name, IRAS ID,
    ethics approval, sponsor, funder, and who the coordinator is); the options
    answer them instead, and without a terminal --title, --short-name and
    --sponsor are needed. The study's consent forms are filled in with them.

    Example: prosper-coop init our-study -t "Our study" --short-name OURS --sponsor "Our university"
    """
    from prosper_coop.cli import private_input
    from prosper_coop.cli.study_details import details_from
    from prosper_coop.workspace import check_target, create_study

    out = output(quiet=quiet)
    target = check_target(directory)  # before any question: the folder may not do
    given = {
        "title": title,
        "short_title": short_name,
        "iras_id": iras_id,
        "ethics_committee": ethics_committee,
        "ethics_reference": ethics_ref,
        "sponsor": sponsor,
        "funder": funder,
        "award": award,
        "coordinator": coordinator,
        "coordinator_alias": coordinator_alias,
    }
    if example is None:  # a study of one's own: its details are asked for, or needed
        details = details_from(given, out=output(), ask=private_input.has_terminal())
    else:  # an example brings its own details; options given change them
        details = details_from(given, out=output(), ask=False, required=False)
    study = create_study(target, details=details, example=example)
    out.success(f"Created the study {study.settings.title!r} in {directory}.")
    out.info(
        f"Next: cd {directory} && prosper-coop status "
        "(it starts with what the study still needs before it is safe to run)"
    )


def status(as_json: AsJson = False) -> None:
    """Show the dashboard for who is looking: your tasks, sessions and the team's progress.

    A co-researcher sees their own tasks, sessions, check-ins, onboarding and
    consent, and how the team is doing in general terms. The coordinator and the
    leads (and work package leads) see the whole team: dates that have passed, who
    still needs consent or onboarding, and sessions to prepare; the coordinator also
    sees what the study still needs before it is safe to run. Someone this computer
    does not know sees only the team's progress.

    Example: prosper-coop status --json
    """
    from prosper_coop.cli import tables
    from prosper_coop.status import cache

    study = open_study()
    today = study.today()
    key, newest = cache.fingerprint(study.root, today.isoformat())
    data = cache.lookup(study.root, key)
    if data is None:
        from prosper_coop.cli.terminal import to_jsonable
        from prosper_coop.status import dashboard

        data = to_jsonable(dashboard.build(study, today))
        cache.store(study.root, key, newest, data)
    out = output(as_json)
    if as_json:
        out.json(data)
    else:
        tables.dashboard(out, data)


def log_(
    record: Annotated[
        str | None,
        typer.Option("--record", help="Only changes to this record, e.g. T-0012.", parser=RECORD),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Only changes by this person.", parser=PERSON)
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only changes since a date (YYYY-MM-DD).")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="At most N.")] = None,
    as_json: AsJson = False,
) -> None:
    """Show the audit trail: every change, who made it and when (from git).

    Example: prosper-coop log --record T-0012 --since 2026-01-01
    """
    from prosper_coop.core import auditlog, clock, ids

    if by is not None:
        ids.check_pattern(by, ids.PERSON_ID, "person ID", "CR-01")
    if record is not None:
        ids.check_safe(record, "record ID")
    if since:
        since = clock.parse_date(since, "--since").isoformat()
    study = open_study()
    found = auditlog.entries(study, record=record, by=by, since=since, limit=limit)
    out = output(as_json)
    if as_json:
        out.json([entry.as_dict() for entry in found])
        return
    out.table(
        ["When", "Who", "Area", "What", "Records", "Commit"],
        [
            (
                e.date[:16].replace("T", " "),
                e.by,
                e.area,
                e.what,
                ", ".join(e.records),
                e.commit[:8],
            )
            for e in found
        ],
        empty="No changes match.",
    )


def doctor(
    staged: Annotated[
        bool, typer.Option("--staged", help="Check only what is staged for the next git commit.")
    ] = False,
    fix: Annotated[bool, typer.Option("--fix", help="Reinstall the safety hook.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as problems.")] = False,
    as_json: AsJson = False,
) -> None:
    """Check every record, cross-reference and safety setting; exit 4 if anything is wrong.

    Example: prosper-coop doctor
    """
    from prosper_coop import doctor as checks
    from prosper_coop.core.git import install_hook

    study = open_study()
    out = output(as_json)
    if fix:
        install_hook(study.root)
        out.success("Reinstalled the pre-commit safety hook.")
    problems = checks.check_study(study, staged=staged)
    errors = [p for p in problems if p.severity == "error" or strict]
    if as_json:
        out.json([{**p.__dict__, "text": str(p)} for p in problems])
    else:
        for problem in problems:
            prefix = "" if problem.severity == "error" else "warning: "
            out.line(f"{prefix}{problem}")
        if errors:
            out.info(
                f"{len(errors)} problem(s) found. Fix each file and line shown, "
                "then run prosper-coop doctor again."
            )
        elif not staged:
            out.success(
                "All records are valid." + (f" ({len(problems)} warning(s))" if problems else "")
            )
    if errors:
        if staged:
            out.info("The commit was stopped so nothing invalid or unencrypted reaches git.")
        raise typer.Exit(int(ExitCode.INVALID))


def save(
    message: Annotated[str, typer.Option("--message", "-m", help="What you changed.")],
    quiet: Quiet = False,
) -> None:
    """Check files you edited by hand and commit them as one change.

    Example: prosper-coop save -m "Moved the WP3 fieldwork dates"
    """
    from prosper_coop.saving import save_hand_edits

    out = output(quiet=quiet)
    result = save_hand_edits(open_study(), message)
    if result.commit is None:
        out.info("There is nothing to save: no files have changed.")
        return
    out.success(f"Saved {len(result.paths)} file(s) as commit {result.commit[:8]}.")


def schema(
    record_type: Annotated[
        str | None, typer.Argument(help="A record type (person, workpackage, task, ...).")
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write one <type>.schema.json per type here.")
    ] = None,
) -> None:
    """Print the JSON Schema of a record type, so editors can check hand-edited YAML.

    Example: prosper-coop schema task > task.schema.json
    """
    import json

    from prosper_coop.core.fsutil import write_named_file
    from prosper_coop.core.models import StudySettings
    from prosper_coop.core.records import RECORD_TYPES, get

    schemas: dict[str, Any] = {"study": StudySettings.model_json_schema()}
    for rtype in RECORD_TYPES:
        schemas[rtype.name] = rtype.model.model_json_schema()
    out = output()
    if out_dir is not None:
        for name, data in schemas.items():
            write_named_file(out_dir / f"{name}.schema.json", json.dumps(data, indent=2) + "\n")
        out.success(f"Wrote {len(schemas)} schemas to {out_dir}.")
        return
    if record_type is None:
        out.json(schemas)
        return
    name = "study" if record_type == "study" else get(record_type).name
    out.json(schemas[name])
