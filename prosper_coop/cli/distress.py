"""``prosper-coop distress ...``: walk the distress protocol, step by step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from prosper_coop.cli.common import (
    PERSON,
    SESSION,
    WORK_PACKAGE,
    AsJson,
    id_parser,
    open_study,
    output,
)
from prosper_coop.cli.groups import group_app
from prosper_coop.cli.private_input import hidden_option
from prosper_coop.core.ids import INCIDENT

if TYPE_CHECKING:
    from pathlib import Path

    from prosper_coop.core.study import Study
    from prosper_coop.wellbeing.distress import Step

app = group_app("distress")


class _Prompts:
    """Answers typed by the person running the protocol."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def show(self, step: Step) -> None:
        out = output()
        out.info(f"\n[{step.stage}]")
        if step.say:
            out.info(step.say.strip())
        if step.show_support:
            from prosper_coop.cli.support import show_support_now

            show_support_now(self.root)

    def answer(self, step: Step) -> str:
        from prosper_coop.core.errors import UserError
        from prosper_coop.wellbeing.checkins import parse_yes_no

        if step.answer == "text":
            value: str = typer.prompt(step.question, default="", show_default=False)
            return value
        while True:
            value = typer.prompt(f"{step.question} (yes/no)")
            try:
                parse_yes_no(value, "the answer")
                return value
            except UserError:
                output().info("Please answer yes or no.")


@app.command("run")
def run(
    protocol: Annotated[
        str,
        typer.Option(
            "--protocol", "-p", help="distress-participant or distress-researcher (in protocols/)."
        ),
    ] = "distress-participant",
    session: Annotated[
        str | None, typer.Option("--session", help="The session, if any.", parser=SESSION)
    ] = None,
    person: Annotated[
        str | None,
        typer.Option("--person", help="The team member it is about (researcher).", parser=PERSON),
    ] = None,
    participant: Annotated[
        str, typer.Option("--participant", help="A pseudonymous participant label, e.g. P-0007.")
    ] = "",
    answers: Annotated[
        list[str] | None,
        typer.Option(
            "--answer", "-a", help="Answer a yes/no step without being asked: STEP=yes or STEP=no."
        ),
    ] = None,
    from_stdin: Annotated[
        bool,
        typer.Option(
            "--from-stdin",
            help="Read answers (text ones too) and a note from stdin as lines of STEP: answer "
            "and note: text; never ask.",
        ),
    ] = False,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never ask; take answers only from --answer.")
    ] = False,
    note: Annotated[str | None, hidden_option("--note")] = None,
    wp: Annotated[
        str | None,
        typer.Option(
            "--wp",
            help="Work package for the follow-up task (default: the one running).",
            parser=WORK_PACKAGE,
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Walk the distress protocol step by step; record it for the safeguarding lead.

    Asks each step's question, or, for scripts, takes yes/no answers from
    --answer and any answers and a note from stdin (--from-stdin). Words said
    about someone's distress are never given as options, which others using the
    computer could see. When support is needed, records an encrypted incident
    (readable only by the safeguarding lead(s); while none has a key, by the
    session's facilitators and the coordinator, never by the person it is about),
    adds a follow-up task due the next day for the lead, and shows the support
    details to share. Nothing others can see says whom it is about.

    Example: prosper-coop distress run --session S-0004
    """
    from prosper_coop.cli.private_input import read_stdin_fields, refuse_options
    from prosper_coop.cli.support import show_support_now
    from prosper_coop.core import ids
    from prosper_coop.core.errors import NotPermittedError
    from prosper_coop.wellbeing import distress

    example = (
        "printf 'signs: yes\\nthoughts: their own words\\nnote: ...\\n' | "
        "prosper-coop distress run --from-stdin"
    )
    refuse_options(
        {"--note": note},
        f"Run it without --note to be asked, or pipe the note in: {example}",
    )
    out = output(as_json)
    study = open_study(acting=True)
    definition = distress.load_protocol(study, protocol)
    distress.check_subject(study, person)
    if session is not None:
        ids.check_safe(session, "session ID")
    try:
        distress.check_may_run(study, person=person, session=session)
    except NotPermittedError as refused:
        raise NotPermittedError(
            refused.message,
            f"{refused.hint or ''} If someone needs support now, see: prosper-coop support".strip(),
        ) from None
    given = distress.parse_answers(answers or [])
    text_steps = [s.id for s in definition.steps if s.answer == "text"]
    refuse_options({f"--answer {step}=...": given.get(step) for step in text_steps}, example)
    text = ""
    if from_stdin:
        questions = {s.id: s.question for s in definition.steps if s.answer != "none"}
        piped = read_stdin_fields({**questions, "note": "note"}, "the answers", example)
        text = piped.pop("note", "")
        given.update(piped)
    scripted = no_input or bool(answers) or from_stdin
    responder: distress.Responder
    if scripted:
        responder = distress.ScriptedAnswers(definition, given)
    else:
        responder = _Prompts(study.root)
        out.info(definition.title)
        if definition.intro:
            out.info(definition.intro.strip())
        _say_who_will_read(study, session=session, person=person)
    path = distress.walk(definition, responder)
    if path.record and not scripted:
        text = typer.prompt(
            "Anything else to record for the safeguarding lead? (Enter to skip)",
            default="",
            show_default=False,
        )
    if path.record and (scripted or not path.support_shown):
        show_support_now(study.root)
    result = distress.record(
        study,
        definition,
        path,
        person=person,
        participant=participant,
        session=session,
        note=text,
        wp=wp,
    )
    if as_json:
        out.json(
            {
                "protocol": definition.id,
                "version": definition.version,
                "outcome": path.outcome,
                "steps": [s.step for s in path.steps],
                "incident": result.incident,
                "task": result.task,
                "task_owner": result.owner,
                "task_due": result.due,
                "readers": list(result.readers.people) if result.readers else [],
                "waiting_for_lead": bool(result.readers and result.readers.waiting),
            }
        )
        return
    if result.incident is None or result.readers is None:
        out.success("Nothing needed recording. Thank you for checking.")
        return
    if result.readers.waiting:
        out.success(f"Recorded incident {result.incident}; it is stored safely.")
        out.info(
            "No safeguarding lead has a key yet, so for now it is encrypted so that only "
            f"{result.readers.describe()} can read it. When the lead has joined, one of them "
            "runs: prosper-coop keys rekey incident (prosper-coop status reminds everyone)."
        )
    else:
        out.success(
            f"Recorded incident {result.incident}, encrypted so that only the safeguarding "
            f"lead(s) ({result.readers.describe()}) can read it."
        )
    if result.task:
        out.info(f"Follow-up task {result.task} is due {result.due} for {result.owner}.")
    else:
        out.warn(
            "the study has no work package yet, so no follow-up task was made; "
            f"arrange the follow-up with {result.owner or 'the study coordinator'} directly."
        )


def _say_who_will_read(study: Study, *, session: str | None, person: str | None) -> None:
    """Before the steps: who will read what is recorded, when it is not the lead."""
    from prosper_coop.core.errors import KeyProblemError
    from prosper_coop.wellbeing import distress

    out = output()
    try:
        readers = distress.incident_readers(
            study, session=session, person=person, recorder=study.actor()
        )
    except KeyProblemError:
        out.warn(
            "nobody who may read an incident has a key yet, so this run cannot be saved at "
            "the end. Follow the steps anyway, and write down what happened for the lead."
        )
        return
    if readers.waiting:
        out.info(
            "No safeguarding lead has a key yet: what you record will be kept safely for "
            f"{readers.describe()} until the lead joins. Follow the steps as usual."
        )


@app.command("show")
def show(
    incident_id: Annotated[
        str,
        typer.Argument(
            help="An incident ID, e.g. I-0001 (or just 1).",
            parser=id_parser(INCIDENT.normal, "incident"),
        ),
    ],
    as_json: AsJson = False,
) -> None:
    """Show an incident record, if your key can read it (safeguarding leads).

    Example: prosper-coop distress show I-0001
    """
    from prosper_coop.cli.support import keyring
    from prosper_coop.wellbeing.distress import show_incident

    study = open_study()
    incident = show_incident(study, keyring(study), incident_id)
    out = output(as_json)
    if as_json:
        out.json(incident)
        return
    about = incident.person or incident.participant or "a participant"
    out.line(
        f"{incident.id}  {incident.protocol} v{incident.protocol_version}  "
        f"{incident.at.isoformat()[:16]}  about {about}  recorded by {incident.recorded_by}"
    )
    out.line(f"Outcome: {incident.outcome}")
    for step in incident.steps:
        answer = f" -> {step.answer}" if step.answer else ""
        out.line(f"  [{step.stage}] {step.step}{answer}")
    if incident.note:
        out.line(f"Note: {incident.note}")
    if incident.follow_up_task:
        out.line(f"Follow-up task: {incident.follow_up_task}")
