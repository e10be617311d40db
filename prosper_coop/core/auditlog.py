"""The audit trail: who changed what and when, read from git history."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from prosper_coop.core.study import Study

SUBJECT = re.compile(r"^(?P<area>[\w-]+): (?P<what>.*?)(?: \((?P<records>[^()]*)\))?$")


@dataclass(frozen=True)
class Entry:
    """One change to the study."""

    commit: str
    date: str
    by: str
    area: str
    what: str
    records: list[str]

    def as_dict(self) -> dict[str, object]:
        """Plain data for ``--json``."""
        return asdict(self)


def parse_subject(subject: str) -> tuple[str, str, list[str]]:
    """Split ``task: done T-0042 (T-0042)`` into area, what and record IDs."""
    match = SUBJECT.match(subject)
    if not match:
        return "git", subject, []
    records = [part.strip() for part in (match.group("records") or "").split(",") if part.strip()]
    return match.group("area"), match.group("what"), records


def entries(
    study: Study,
    *,
    record: str | None = None,
    by: str | None = None,
    since: str | None = None,
    limit: int | None = None,
) -> list[Entry]:
    """The audit trail, newest first, filtered by record, author and date."""
    result: list[Entry] = []
    for commit in study.repo.log(since=since):
        area, what, records = parse_subject(commit.subject)
        if record and record not in records:
            continue
        if by and commit.author != by:
            continue
        result.append(Entry(commit.sha[:10], commit.date, commit.author, area, what, records))
        if limit and len(result) >= limit:
            break
    return result
