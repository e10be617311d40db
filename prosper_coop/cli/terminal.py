"""The terminal: data to stdout, messages to stderr; human, JSON and quiet modes.

Commands never call ``print``. Rich is imported only when something is rendered
for a person, and honours ``NO_COLOR``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from prosper_coop.core.errors import UserError


def to_jsonable(value: Any) -> Any:
    """Turn models, dates and enums into plain JSON values."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_jsonable(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, str | int | float | bool):
        return value.value
    return value


class Terminal:
    """Where a command's results and messages go."""

    def __init__(self, *, json_mode: bool = False, quiet: bool = False) -> None:
        self.json_mode = json_mode
        self.quiet = quiet

    @cached_property
    def console(self) -> Console:
        """Rich console on stdout (for tables and dashboards)."""
        from rich.console import Console

        return Console(highlight=False, soft_wrap=False)

    @cached_property
    def err(self) -> Console:
        """Rich console on stderr (for messages)."""
        from rich.console import Console

        return Console(stderr=True, highlight=False, soft_wrap=True)

    # -- data (stdout) -------------------------------------------------------------
    def json(self, data: Any) -> None:
        """Write ``data`` as JSON to stdout."""
        import json

        sys.stdout.write(json.dumps(to_jsonable(data), indent=2, ensure_ascii=False) + "\n")

    def line(self, text: str) -> None:
        """Write one plain line to stdout (an ID, a path)."""
        sys.stdout.write(text + "\n")

    def render(self, renderable: RenderableType) -> None:
        """Render something rich (a table, a panel) to stdout; strings are not markup."""
        self.console.print(renderable, markup=False)

    def table(
        self,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        title: str | None = None,
        empty: str = "Nothing to show.",
        no_wrap: Sequence[str] = ("ID", "Task", "WP", "Due", "Progress", "When", "Commit"),
    ) -> None:
        """Render rows as a table (or say ``empty`` when there are none)."""
        from rich.table import Table
        from rich.text import Text

        rows = list(rows)
        if not rows:
            self.info(empty)
            return
        table = Table(title=title, title_justify="left", header_style="bold")
        for column in columns:
            table.add_column(column, overflow="fold", no_wrap=column in no_wrap)
        for row in rows:
            # Text() so record content is never read as rich markup.
            table.add_row(*(Text("" if cell is None else str(cell)) for cell in row))
        self.render(table)

    # -- messages (stderr) --------------------------------------------------------
    def _message(self, text: str, style: str | None = None) -> None:
        # Plain text when nobody will see colours (a script, a pipe, a log), which
        # also spares scripted commands the cost of importing rich.
        if not sys.stderr.isatty() and not os.environ.get("FORCE_COLOR"):
            sys.stderr.write(text + "\n")
            sys.stderr.flush()
            return
        self.err.print(text, style=style, markup=False)

    def info(self, message: str) -> None:
        """A message for the person at the keyboard (stderr; hidden by --quiet)."""
        if not self.quiet:
            self._message(message)

    def success(self, message: str) -> None:
        """Report that something was done."""
        if not self.quiet:
            self._message(message, "green")

    def warn(self, message: str) -> None:
        """A warning: something to look at, nothing failed."""
        self._message(f"Warning: {message}", "yellow")

    def error(self, error: UserError) -> None:
        """Print a user error and its hint to stderr."""
        self._message(f"Error: {error}", "bold red")
        if error.hint:
            self._message(error.hint)
