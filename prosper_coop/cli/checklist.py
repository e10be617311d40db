"""``prosper-coop checklist ...``: onboarding, consent and safeguarding checklists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from prosper_coop.cli.common import SUBJECT, AsJson, Quiet, id_parser, open_study, output
from prosper_coop.cli.groups import group_app
from prosper_coop.core.errors import InvalidInputError
from prosper_coop.core.ids import RUN

if TYPE_CHECKING:
    from prosper_coop.cli.terminal import Terminal
    from prosper_coop.core.study import Study
    from prosper_coop.people.checklists import Evidence, ItemDefinition, TickResult

app = group_app("checklist")

RunId = Annotated[
    str,
    typer.Argument(
        help="A checklist run ID, e.g. C-0003 (or just 3).", parser=id_parser(RUN.normal, "run")
    ),
]
ItemId = Annotated[str, typer.Argument(help="An item ID of the checklist, e.g. wellbeing-plan.")]
NoteOpt = Annotated[
    str, typer.Option("--note", help="A short evidence note (no names or personal details).")
]
DateOpt = Annotated[
    str | None, typer.Option("--date", help="The date it happened (YYYY-MM-DD; default today).")
]
DocumentOpt = Annotated[
    str,
    typer.Option("--document", help="Where the document is kept (a reference, not its content)."),
]
AnswerOpt = Annotated[
    str | None,
    typer.Option("--answer", help="For yes/no items (optional consent items): yes or no."),
]


@app.command("list")
def list_(as_json: AsJson = False) -> None:
    """List the checklist definitions in this study (protocols/checklists/).

    Example: prosper-coop checklist list
    """
    from prosper_coop.people import checklists

    definitions = checklists.load_definitions(open_study())
    out = output(as_json)
    if as_json:
        out.json(
            [
                {**d.model_dump(mode="json"), "fingerprint": d.fingerprint}
                for d in definitions.values()
            ]
        )
        return
    out.table(
        ["Checklist", "Version", "Title", "Kind", "For", "Items"],
        [
            [
                d.id,
                f"v{d.version}",
                d.title,
                str(d.kind),
                d.describe_applies_to(),
                f"{len(d.required_ids)} required, {len(d.items) - len(d.required_ids)} optional",
            ]
            for d in definitions.values()
        ],
        empty=f"No checklists yet: add definitions to {checklists.DEFINITIONS_DIR}/.",
    )


@app.command()
def start(
    definition: Annotated[
        str, typer.Argument(help="The checklist, e.g. onboarding-co-researcher.")
    ],
    subject: Annotated[
        str,
        typer.Option(
            "--for", help="Who or what it is for: CR-05, S-0002 or P-0014.", parser=SUBJECT
        ),
    ],
    quiet: Quiet = False,
) -> None:
    """Start a checklist for a person, a session or a participant.

    Example: prosper-coop checklist start safeguarding-pre-session --for S-0002
    """
    from prosper_coop.people import checklists

    out = output(quiet=quiet)
    started = checklists.start(open_study(), definition, subject)
    out.line(started.run.id)
    out.success(
        f"Started {started.definition.title} (version {started.definition.version}) for "
        f"{subject} as {started.run.id}."
    )
    out.info(f"Work through it with: prosper-coop checklist run {started.run.id}")


def _evidence(note: str, date: str | None, document: str, answer: str | None) -> Evidence:
    from prosper_coop.core import clock
    from prosper_coop.people.checklists import Evidence

    parsed_answer: bool | None = None
    if answer is not None:
        lowered = answer.strip().lower()
        if lowered not in ("yes", "no", "y", "n"):
            raise InvalidInputError(f"--answer must be yes or no, not {answer!r}")
        parsed_answer = lowered in ("yes", "y")
    return Evidence(
        note=note,
        date=clock.parse_date(date, "--date") if date else None,
        document=document,
        answer=parsed_answer,
    )


@app.command()
def tick(
    run: RunId,
    item: ItemId,
    note: NoteOpt = "",
    date: DateOpt = None,
    document: DocumentOpt = "",
    answer: AnswerOpt = None,
    quiet: Quiet = False,
) -> None:
    """Tick one item of a checklist run, with its evidence (scriptable; one commit).

    Example: prosper-coop checklist tick C-0003 payment-expenses --note "Agreed at the NIHR rate"
    """
    from prosper_coop.people import checklists

    out = output(quiet=quiet)
    result = checklists.tick(open_study(), run, item, _evidence(note, date, document, answer))
    _report_tick(out, result)


def _report_tick(out: Terminal, result: TickResult, *, show_missing: bool = True) -> None:
    what = "Answered" if result.tick.answer is not None else "Ticked"
    out.success(f"{what} {result.item.id} on {result.run.id}.")
    if result.completed_now:
        out.success(f"{result.run.id} is now complete.")
    elif result.missing and show_missing:
        out.info(f"Still to do: {', '.join(result.missing)}")


@app.command()
def untick(run: RunId, item: ItemId, quiet: Quiet = False) -> None:
    """Take the tick off one item (the earlier tick stays in the audit trail).

    Example: prosper-coop checklist untick C-0003 it-access
    """
    from prosper_coop.people import checklists

    out = output(quiet=quiet)
    checklists.untick(open_study(), run, item)
    out.success(f"Unticked {item} on {run}.")


@app.command()
def show(run: RunId, as_json: AsJson = False) -> None:
    """Show a checklist run: every item, who ticked it, when, and the evidence.

    Example: prosper-coop checklist show C-0003
    """
    from prosper_coop.cli import people_tables
    from prosper_coop.people import checklists

    view = checklists.view_run(open_study(), run)
    out = output(as_json)
    if as_json:
        out.json(view.as_dict())
    else:
        people_tables.run_detail(out, view)


@app.command("status")
def status_(
    only_open: Annotated[
        bool, typer.Option("--open", help="Only runs still open or needing review.")
    ] = False,
    subject: Annotated[
        str | None,
        typer.Option(
            "--for", help="Only runs for this person, session or participant.", parser=SUBJECT
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="Only onboarding, offboarding, consent or safeguarding."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """List checklist runs and where each stands (open, complete, needs review, withdrawn).

    Example: prosper-coop checklist status --open
    """
    from prosper_coop.cli import people_tables
    from prosper_coop.people import checklists

    if kind is not None and kind not in [str(k) for k in checklists.ChecklistKind]:
        raise InvalidInputError(
            f"there is no checklist kind {kind!r}",
            "Kinds: " + ", ".join(str(k) for k in checklists.ChecklistKind),
        )
    views = checklists.status(open_study(), only_open=only_open, subject=subject, kind=kind)
    out = output(as_json)
    if as_json:
        out.json([v.as_dict() for v in views])
        return
    people_tables.runs_table(
        out, views, empty="No open checklists." if only_open else "No checklist runs yet."
    )


@app.command("run")
def run_(run: RunId) -> None:
    """Walk through the open items of a run, one question at a time; stop whenever you like.

    Each answer is saved at once (one commit per tick), so you can stop with q and
    carry on later with the same command.

    Example: prosper-coop checklist run C-0003
    """
    walk(output(), open_study(), run)


def _ask(prompt: str, choices: dict[str, str], default: str) -> str:
    """Ask until one of ``choices`` (keys, or their long words) is typed."""
    while True:
        answer = typer.prompt(prompt, default=default, err=True).strip().lower()
        for key, word in choices.items():
            if answer in (key, word):
                return key
        output().info("Please type one of: " + ", ".join(choices))


def _ask_evidence(item: ItemDefinition) -> tuple[str, str | None, str]:
    """Ask for the evidence ``item`` takes: (note, date, document)."""
    from prosper_coop.core import clock
    from prosper_coop.core.errors import UserError

    note, date, document = "", None, ""
    kind = str(item.evidence)
    if kind == "note":
        note = typer.prompt("Note (no names or personal details)", err=True)
    elif kind == "document":
        document = typer.prompt("Where is the document kept (a reference only)", err=True)
    elif kind == "date":
        while True:
            date = typer.prompt("Date (YYYY-MM-DD)", default=clock.today().isoformat(), err=True)
            try:
                clock.parse_date(date, "date")
                break
            except UserError as exc:
                output().info(f"{exc.message}. {exc.hint}")
    return note, date, document


def walk(out: Terminal, study: Study, run_id: str) -> None:
    """The interactive walk through a run's open items (shared with ``onboard``)."""
    from prosper_coop.people import checklists

    view, pending = checklists.open_items(study, run_id)
    assert view.definition is not None
    out.info(f"{run_id}: {view.definition.title} for {view.run.subject} ({view.progress} done).")
    if not pending:
        out.success(f"Nothing is left to tick on {run_id}.")
        return
    out.info(
        "Take your time. For each item: y = done, s = skip for now, q = stop here "
        f"(carry on later with: prosper-coop checklist run {run_id})."
    )
    stopped = False
    for number, item in enumerate(pending, 1):
        out.info("")
        out.info(
            f"[{number}/{len(pending)}] {item.text}" + ("" if item.required else " (optional)")
        )
        if item.help:
            out.info("  " + " ".join(item.help.split()))
        if item.only_if:
            out.info(f"  Only if: {item.only_if}")
        try:
            if item.answer:
                choice = _ask(
                    "Answer: y = yes, n = no, s = skip, q = stop",
                    {"y": "yes", "n": "no", "s": "skip", "q": "stop"},
                    "s",
                )
            else:
                choice = _ask(
                    "Done? y = yes, s = skip for now, q = stop",
                    {"y": "yes", "s": "skip", "q": "stop"},
                    "s",
                )
            if choice == "q":
                stopped = True
                break
            if choice == "s":
                continue
            note, date, document = _ask_evidence(item)
        except typer.Abort:  # end of input: stop calmly, every tick so far is saved
            stopped = True
            break
        answer = None if not item.answer else ("yes" if choice == "y" else "no")
        result = checklists.tick(study, run_id, item.id, _evidence(note, date, document, answer))
        _report_tick(out, result, show_missing=False)
    view = checklists.view_run(study, run_id)
    out.info("")
    if str(view.state) == "complete":
        out.success(f"{run_id} is complete.")
    else:
        lead = "Stopped. " if stopped else ""
        out.info(
            f"{lead}{run_id}: {view.progress} required items done. Everything you answered is "
            f"saved; carry on any time with: prosper-coop checklist run {run_id}"
        )
