"""The command groups of the root command line, with their help.

Kept apart and light, so the root help lists every group without importing any.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prosper_coop.cli.common import App

# name -> (the module under prosper_coop.cli whose ``app`` holds its commands, its help)
GROUPS: dict[str, tuple[str, str]] = {
    "people": (
        "people",
        "People in the study, their roles, onboarding and offboarding.",
    ),
    "checklist": (
        "checklist",
        (
            "Checklists for onboarding, offboarding, consent and safety before sessions: one "
            "engine, versioned definitions in protocols/checklists/, every tick recorded with "
            "who, when and evidence."
        ),
    ),
    "consent": (
        "consent",
        (
            "Record consent on a versioned form, record a withdrawal (and the follow-up it "
            "needs), and how each person wants to be credited."
        ),
    ),
    "session": (
        "session",
        (
            "Interviews, focus groups and workshops: they start only once their safety "
            "checklist is complete, and close with a debrief offered to each facilitator."
        ),
    ),
    "task": (
        "task",
        (
            "Tasks inside work packages: add, list, update, delete, undo, board, timeline, "
            "import, export."
        ),
    ),
    "wp": (
        "wp",
        "Work packages: dates, leads, milestones and progress.",
    ),
    "reflect": (
        "reflect",
        (
            "Reflections: private by default (only you can read them), or shared with the "
            "analysis team if you choose --share.\n"
            "\n"
            "Write one by answering a few questions you can skip (or in your editor, if you "
            "set $EDITOR), or pipe the text in (never as an option, which others using the "
            "computer could see). Then see them with: reflect list, "
            "reflect show ID.\n"
            "\n"
            "Example: prosper-coop reflect --wp WP4 < reflection.txt"
        ),
    ),
    "wellbeing": (
        "wellbeing",
        "Wellbeing: your wellbeing plan, and alerts for the wellbeing lead.",
    ),
    "keys": (
        "keys",
        ("Keys: your private key (kept only on this computer) and who can read encrypted records."),
    ),
    "distress": (
        "distress",
        (
            "The distress protocol: a calm, guided walk through what to do, recorded for the "
            "lead who keeps people safe."
        ),
    ),
    "findings": (
        "findings",
        "Findings: the themes of the study and their plain-language key messages.",
    ),
    "rec": (
        "rec",
        "Recommendations: each for one audience, resting on one theme, with its evidence.",
    ),
    "involve": (
        "involve",
        (
            "Involvement log: the time and expenses of public contributors, and payments at "
            "the study's rates."
        ),
    ),
    "site": (
        "site",
        "Sites: the places where fieldwork happens, named as the study chooses.",
    ),
    "recruit": (
        "recruit",
        (
            "Recruitment targets: how many of each group, by when, along a planned curve; "
            "and how each target stands against it."
        ),
    ),
    "participant": (
        "participant",
        (
            "Research participants under pseudonymous IDs (P-0001), with their consent; "
            "their contacts, if kept, are encrypted for the coordinator."
        ),
    ),
    "survey": (
        "survey",
        "Surveys: invitations sent and responses received over time, with response rates.",
    ),
}


def group_app(name: str) -> App:
    """The Typer app of the group ``name``, with its help (its module adds the commands)."""
    from prosper_coop.cli.common import make_app

    return make_app(GROUPS[name][1], name=name)
