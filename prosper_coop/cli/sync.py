"""Working as a team: ``remote set``, ``sync``, ``clone`` and ``resolve``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from prosper_coop.cli.common import RECORD, AsJson, DryRun, Quiet, make_app, open_study, output

if TYPE_CHECKING:
    from prosper_coop.cli.terminal import Terminal
    from prosper_coop.sync.engine import RecordChange, SyncResult

remote_app = make_app("Where the team's shared copy of the study lives.", name="remote")
SHOW_RECORDS = 50


def register(app: typer.Typer) -> None:
    """Add the team commands to the root app."""
    app.add_typer(remote_app, name="remote")
    app.command("sync")(sync_)
    app.command()(clone)
    app.command()(resolve)


@remote_app.command("set")
def remote_set(
    url: Annotated[str, typer.Argument(help="A git URL, or the path of a bare repository.")],
    quiet: Quiet = False,
) -> None:
    """Set the remote this study syncs with (any git URL, or a local bare repository).

    Example: prosper-coop remote set git@gitlab.example.ac.uk:prosper/study.git
    """
    from prosper_coop.sync.engine import set_remote

    out = output(quiet=quiet)
    result = set_remote(open_study(), url)
    what = "Changed" if result.previous else "Set"
    out.success(f"{what} the remote to {result.url}.")
    if not result.reachable:
        out.warn(
            f"it cannot be reached right now ({result.detail or 'no answer'}). "
            "That is fine if you are offline; sync will try again when you run it."
        )
    out.info("Next: prosper-coop sync")


def _show_changes(out: Terminal, heading: str, tag: str, changes: list[RecordChange]) -> None:
    from prosper_coop.sync.engine import SyncResult

    counts = SyncResult.counts(changes)
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "nothing"
    out.info(f"{heading}: {summary}.")
    for change in changes[:SHOW_RECORDS]:
        out.line(f"{tag:<4} {change.type:<12} {change.id:<12} {change.change}")
    if len(changes) > SHOW_RECORDS:
        out.info(f"  ... and {len(changes) - SHOW_RECORDS} more (see: prosper-coop sync --json)")


def _render(out: Terminal, result: SyncResult) -> None:
    if result.up_to_date:
        out.success(f"Up to date with {result.url}: nothing came in, nothing went out.")
        return
    dry = result.dry_run
    _show_changes(out, "Would come in" if dry else "Came in", "in", result.incoming)
    _show_changes(out, "Would go out" if dry else "Went out", "out", result.outgoing)
    for old, new in result.renumbered.items():
        verb = "would be renumbered" if dry else "was renumbered"
        out.info(f"{old} {verb} to {new}: the same ID was also made on another computer.")
    if result.whoami_moved:
        old, new = result.whoami_moved
        out.info(f"Your own ID {old} is now {new}; this computer knows you as {new}.")
    for path in result.sidecars:
        out.info(f"Kept both versions of a file changed on two computers: {path}")
    for path, render_id in result.outputs_kept.items():
        made = f" (made by render {render_id})" if render_id else ""
        out.info(f"{path} was rendered on two computers; kept the newer one{made}.")
    if result.erased_again:
        out.info(
            f"Removed {len(result.erased_again)} file(s) of erased people that another "
            "computer still had; the erasure stands."
        )
    if result.conflicts:
        out.warn(
            f"{len(result.conflicts)} record(s) have a field changed on two computers "
            f"({', '.join(result.conflicts[:5])}). Both values are kept; see them with "
            "prosper-coop status, and choose with prosper-coop resolve ID --take mine|theirs."
        )
    if dry:
        out.info("Nothing was changed (dry run).")
    else:
        out.success(f"Synced with {result.url}.")


def sync_(dry_run: DryRun = False, as_json: AsJson = False) -> None:
    """Share saved work with the team: fetch, merge record by record, push; say what moved.

    Example: prosper-coop sync --dry-run
    """
    from prosper_coop.sync.engine import sync
    from prosper_coop.trust.state import verified

    out = output(as_json)
    study = open_study()
    result = sync(study, dry_run=dry_run)
    # Every clone checks who signed what it received (never blocking the team's work).
    findings = [] if dry_run else [f.describe() for f in verified(study).findings]
    if as_json:
        out.json({**result.as_dict(), "unverified": findings})
        return
    _render(out, result)
    if findings:
        out.warn(
            f"{len(findings)} change(s) in the history are not signed by someone allowed to "
            "make them, so they do not count. See them with: prosper-coop doctor"
        )


def clone(
    url: Annotated[
        str, typer.Argument(help="The study's remote: a git URL or a bare repository path.")
    ],
    directory: Annotated[Path, typer.Argument(help="A new folder for your copy.")],
    quiet: Quiet = False,
) -> None:
    """Make your own copy of a team's study, ready to sync.

    Example: prosper-coop clone git@gitlab.example.ac.uk:prosper/study.git prosper-study
    """
    from prosper_coop.sync.engine import clone_study

    out = output(quiet=quiet)
    study = clone_study(url, directory)
    out.success(f"Copied the study {study.settings.title!r} into {directory}.")
    out.info(
        f"Next: cd {directory}, then join it from this computer with: prosper-coop join "
        "YOUR-ID (your coordinator can tell you your study ID)"
    )


def resolve(
    record_id: Annotated[
        str, typer.Argument(help="The record with a conflict, e.g. T-0028.", parser=RECORD)
    ],
    take: Annotated[
        str,
        typer.Option("--take", help="mine, theirs, or the value to keep (e.g. 2026-03-01)."),
    ],
    field: Annotated[
        str | None, typer.Option("--field", help="Only this field (as shown by status).")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Choose which value to keep for a field that was changed on two computers.

    Example: prosper-coop resolve T-0028 --take theirs --field status
    """
    from prosper_coop.sync.conflicts import plain_value
    from prosper_coop.sync.conflicts import resolve as resolve_conflict

    out = output(quiet=quiet)
    result = resolve_conflict(open_study(), record_id, take, field)
    for name, value in result.fields.items():
        out.success(f"{result.record_id}: {name} is now {plain_value(value)}.")
    if result.remaining:
        out.info(f"{result.remaining} more conflict(s) on {result.record_id} to choose.")
    out.info("Share it with the team with: prosper-coop sync")
