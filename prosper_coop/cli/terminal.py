"""The terminal: data to stdout, messages to stderr; human, JSON and quiet modes.

Commands never call ``print``. Rich is imported only when something is rendered
for a person, and honours ``NO_COLOR``.

Text from records is never trusted to be harmless on a terminal: a title may hold
escape sequences that retitle the window or clear the screen, or bidi overrides
that reverse what is read. Every human-mode string passes through :func:`visible`,
which shows each control character as a visible stand-in of the same length: the
Unicode "control picture" for C0 characters and DEL (``␛`` for ESC, ``␇`` for BEL,
``␡`` for DEL), and ``�`` (U+FFFD) for C1 characters and bidi
controls. A tab becomes a space; a newline stays where a field may hold several
lines. Rich markup in records is never read as markup. JSON output keeps every
character, with the dangerous ones written as ``\\uXXXX`` escapes.
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


REPLACEMENT = "\N{REPLACEMENT CHARACTER}"
NEWLINE_PICTURE = "\N{SYMBOL FOR NEWLINE}"
# Bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069).
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_C1 = range(0x80, 0xA0)


def _visible_table(*, newlines: bool) -> dict[int, str]:
    table = {code: chr(0x2400 + code) for code in range(0x20)}  # C0 -> control pictures
    table[0x09] = " "
    table[0x7F] = "\N{SYMBOL FOR DELETE}"
    table.update(dict.fromkeys([*_C1, *_BIDI], REPLACEMENT))
    if newlines:
        del table[0x0A]
    else:
        table[0x0A] = NEWLINE_PICTURE
    return table


_MULTI_LINE = _visible_table(newlines=True)
_ONE_LINE = _visible_table(newlines=False)
_JSON_ESCAPES = {
    code: f"\\u{code:04x}" for code in [*range(0x20), 0x7F, *_C1, *_BIDI] if code != 0x0A
}


def visible(text: str, *, newlines: bool = True) -> str:
    """``text`` safe to show on a terminal: each control character becomes a visible
    stand-in of the same length (newlines are kept unless ``newlines`` is False)."""
    return text.translate(_MULTI_LINE if newlines else _ONE_LINE)


def json_safe(text: str) -> str:
    """JSON text with control, C1 and bidi characters written as ``\\uXXXX`` escapes.

    Lossless: these characters can only occur inside JSON strings, where the escape
    means the same character.
    """
    return text.translate(_JSON_ESCAPES)


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


def _console(**options: Any) -> Console:
    """A rich console that stops quietly, as the rest of the tool does, when its reader goes."""
    from rich.console import Console

    class QuietOnBrokenPipe(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise SystemExit(stop_quietly())

    return QuietOnBrokenPipe(**options)


class Terminal:
    """Where a command's results and messages go."""

    def __init__(self, *, json_mode: bool = False, quiet: bool = False) -> None:
        self.json_mode = json_mode
        self.quiet = quiet

    @cached_property
    def console(self) -> Console:
        """Rich console on stdout (for tables and dashboards)."""
        return _console(highlight=False, soft_wrap=False, emoji=False)

    @cached_property
    def err(self) -> Console:
        """Rich console on stderr (for messages)."""
        return _console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

    # -- data (stdout) -------------------------------------------------------------
    def json(self, data: Any) -> None:
        """Write ``data`` as JSON to stdout."""
        import json

        text = json.dumps(to_jsonable(data), indent=2, ensure_ascii=False)
        sys.stdout.write(json_safe(text) + "\n")

    def line(self, text: str) -> None:
        """Write one plain line to stdout (an ID, a path), control characters made visible.

        In JSON mode the text is JSON and is written with its dangerous characters
        escaped instead.
        """
        sys.stdout.write((json_safe(text) if self.json_mode else visible(text)) + "\n")

    def data(self, text: str) -> None:
        """Write exported data (CSV, Mermaid, JSON) to stdout, exactly as it is.

        Only when stdout is a terminal are control characters made visible: there a
        person reads it; a pipe or a file gets every character.
        """
        sys.stdout.write((visible(text) if sys.stdout.isatty() else text) + "\n")

    def render(self, renderable: RenderableType) -> None:
        """Render something rich (a table, a panel) to stdout; strings are not markup.

        Strings and rich ``Text`` have their control characters made visible; tables
        made by :meth:`table` already have. Anything else built by a command must
        pass record text through :func:`visible` itself.
        """
        from rich.text import Text

        if isinstance(renderable, str):
            renderable = visible(renderable)
        elif isinstance(renderable, Text):
            renderable.plain = visible(renderable.plain)  # same length: styles stay put
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
        """Render rows as a table (or say ``empty`` when there are none).

        Words are never split across lines when the terminal is wide enough to keep
        them whole: IDs, slugs and dates (columns of single words, and the ``no_wrap``
        columns) stay on one line, and text wraps between words. Only when even that
        cannot fit does a long word fold.
        """
        from rich.table import Table
        from rich.text import Text

        rows = list(rows)
        if not rows:
            self.info(empty)
            return
        cells = [
            [visible("" if cell is None else str(cell)) for cell in row]
            + [""] * (len(columns) - len(row))
            for row in rows
        ]
        whole = [
            column in no_wrap or all(len(row[index].split()) <= 1 for row in cells)
            for index, column in enumerate(columns)
        ]
        widths = column_widths(columns, cells, self.console.width, whole)
        # A column cut below its longest line folds rather than losing the rest.
        one_line = [keep and fit for keep, (_, fit) in zip(whole, widths, strict=True)]
        table = Table(
            title=None if title is None else Text(visible(title)),
            title_justify="left",
            header_style="bold",
        )
        for index, column in enumerate(columns):
            table.add_column(
                column, overflow="fold", no_wrap=one_line[index], width=widths[index][0]
            )
        for row in cells:
            # Text() so record content is never read as rich markup.
            table.add_row(*(Text(cell) for cell in row))
        self.render(table)

    # -- messages (stderr) --------------------------------------------------------
    def _message(self, text: str, style: str | None = None) -> None:
        text = visible(text)
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


def column_widths(
    headers: Sequence[str], rows: Sequence[Sequence[str]], total: int, whole: Sequence[bool]
) -> list[tuple[int | None, bool]]:
    """Widths for a table's columns within ``total`` that split no word where they can,
    and whether each column's longest line fits its width.

    A width of ``None`` lets rich choose (the table fits as it is). Otherwise the first
    of these that fits: each ``whole`` column (IDs, slugs, dates) keeps its lines whole
    and every other column its longest word; every column its longest word; the
    ``whole`` columns their lines, then their words, and the other columns cut to a
    common cap (words in text fold first); every column cut to a common cap (only the
    longest words fold). Room left goes to the columns with the longest lines.
    """
    from rich.cells import cell_len

    columns = [[header, *(row[index] for row in rows)] for index, header in enumerate(headers)]
    lines = [
        max(cell_len(line) for text in texts for line in text.split("\n")) for texts in columns
    ]
    words = [
        max(cell_len(word) for text in texts for word in [*text.split(), ""]) for texts in columns
    ]
    room = total - (3 * len(headers) + 1)  # a space either side of each cell, and the rules
    if sum(lines) <= room or room < len(headers):
        return [(None, True)] * len(headers)
    kept = [line if keep else word for line, word, keep in zip(lines, words, whole, strict=True)]
    text = [not keep for keep in whole]
    widths = (
        _shared(kept, lines, room)
        or _shared(words, lines, room)
        or _capped(kept, text, room, floor=8)
        or _capped(words, text, room, floor=4)
        or _capped(words, [True] * len(words), room, floor=1)
        or [None] * len(headers)
    )
    return [
        (width, width is None or width >= line) for width, line in zip(widths, lines, strict=True)
    ]


def _shared(least: list[int], lines: list[int], room: int) -> list[int | None] | None:
    """At least ``least``; the longest lines are shortened first, down to one level
    (as rich does), so short columns keep their lines whole."""
    if sum(least) > room:
        return None

    def at(level: int) -> list[int]:
        return [max(low, min(line, level)) for low, line in zip(least, lines, strict=True)]

    level = min(max(lines), room)
    while sum(at(level)) > room:
        level -= 1
    widths = at(level)
    longer = [index for index, line in enumerate(lines) if line > widths[index]]
    for index in longer[: room - sum(widths)]:
        widths[index] += 1
    return list(widths)


def _capped(
    least: list[int], cuttable: list[bool], room: int, *, floor: int
) -> list[int | None] | None:
    """``least``, with the ``cuttable`` columns cut to one cap (never below ``floor``)."""
    cap = max(least)

    def cut(at: int) -> list[int]:
        return [min(low, at) if can else low for low, can in zip(least, cuttable, strict=True)]

    while sum(cut(cap)) > room and cap > floor:
        cap -= 1
    widths = cut(cap)
    if sum(widths) > room:
        return None
    cut_ones = [index for index, low in enumerate(least) if cuttable[index] and low > cap]
    for index in cut_ones[: room - sum(widths)]:
        widths[index] += 1
    return list(widths)


def reader_gone() -> bool:
    """Whether the program reading our output (``| head``) has stopped reading.

    Asked after a :class:`BrokenPipeError`, so that a broken pipe to git or another
    helper is still reported as the failure it is.
    """
    import select
    import sys

    for stream in (sys.stdout, sys.stderr):
        try:
            poller = select.poll()
            poller.register(stream.fileno(), 0)  # errors and hang-ups are always reported
            if any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0)):
                return True
        except (AttributeError, ValueError, OSError):
            continue
    return False


def stop_quietly() -> int:
    """Stop as Unix tools do when their reader goes away: print nothing more, exit 141.

    Output still waiting in Python's buffers is dropped (written to the null device),
    so that nothing complains about the closed pipe on the way out.
    """
    import sys

    null = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(null, stream.fileno())
        except (AttributeError, ValueError, OSError):
            continue
    os.close(null)
    from prosper_coop.core.errors import ExitCode

    return int(ExitCode.READER_GONE)
