"""Held/tried figures of the kill harness, gathered from test reports and printed at the end.

Each kill test records ``("crash", JSON)`` in its report's ``user_properties``
(these travel from pytest-xdist workers to the main process);
``tests/conftest.py`` passes every report to :func:`collect` and calls
:func:`write` from ``pytest_terminal_summary``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PROPERTY = "crash"
_rows: list[dict[str, Any]] = []


def record(node: Any, command: str, kind: str, tried: int, held: int, unkilled: int) -> None:
    """Note one test's figures on its report (``kind``: before, after, write or random)."""
    row = {"command": command, "kind": kind, "tried": tried, "held": held, "unkilled": unkilled}
    node.user_properties.append((PROPERTY, json.dumps(row)))


def collect(report: Any) -> None:
    """Keep the figures a finished test recorded (called for every report)."""
    if getattr(report, "when", None) != "call":
        return
    for name, value in getattr(report, "user_properties", ()):
        if name == PROPERTY:
            _rows.append(json.loads(value))


def lines() -> list[str]:
    """The summary: held/tried per command and kind, then in total."""
    if not _rows:
        return []
    table: dict[str, dict[str, list[int]]] = {}
    for row in _rows:
        cell = table.setdefault(row["command"], {}).setdefault(row["kind"], [0, 0, 0])
        cell[0] += row["held"]
        cell[1] += row["tried"]
        cell[2] += row["unkilled"]
    kinds = ("before", "after", "write", "random")
    out = [f"{'command':28} " + " ".join(f"{kind:>13}" for kind in kinds)]
    totals = {kind: [0, 0, 0] for kind in kinds}
    for command in sorted(table):
        cells = []
        for kind in kinds:
            held, tried, unkilled = table[command].get(kind, [0, 0, 0])
            totals[kind][0] += held
            totals[kind][1] += tried
            totals[kind][2] += unkilled
            cells.append(f"{held:>6}/{tried:<6}" if tried or unkilled else f"{'-':>13}")
        out.append(f"{command:28} " + " ".join(cells))
    held = sum(t[0] for t in totals.values())
    tried = sum(t[1] for t in totals.values())
    unkilled = sum(t[2] for t in totals.values())
    out.append(
        f"{'total':28} "
        + " ".join(f"{totals[k][0]:>6}/{totals[k][1]:<6}" for k in kinds)
        + f"   all: {held}/{tried} held"
        + (f" ({unkilled} runs ended before their kill point)" if unkilled else "")
    )
    return out


def write(terminalreporter: Any, basetemp: Path | None) -> None:
    """Print the summary (and keep a copy in the pytest temporary folder)."""
    summary = lines()
    if not summary:
        return
    terminalreporter.write_sep("=", "kill harness: held/tried (issue 14)")
    for line in summary:
        terminalreporter.write_line(line)
    if basetemp is not None:
        path = basetemp / "crash-summary.txt"
        path.write_text("\n".join(summary) + "\n")
        terminalreporter.write_line(f"(also in {path})")
