"""``prosper-coop people ...``: the study team under pseudonymous IDs."""

from __future__ import annotations

from prosper_coop.cli.common import make_app

app = make_app("People in the study, their roles, onboarding and offboarding.", name="people")

# Commands are added below (people add/list/show/edit/leave; identity and erase).
__import__("prosper_coop.cli.people_sensitive", fromlist=["register"]).register(
    app
)  # identity, erase
