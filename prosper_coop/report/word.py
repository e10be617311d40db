"""The report's Markdown as a Word document, tables included.

Report templates use the same Markdown subset as the other outputs
(:mod:`prosper_coop.outputs.markdown`) plus pipe tables (``| a | b |``, a
``|---|`` line under the header row). Everything but the tables is written by
:func:`prosper_coop.outputs.docx_writer.write_docx`, so the report looks like
every other output; each table then takes the place of a marker paragraph, as a
real Word table whose header row repeats on every page and whose caption (the
heading above it) is its alternative text. Same input, same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from prosper_coop.outputs.markdown import Block, parse, spans, title_of

_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
# A cell border: a pipe not escaped by a backslash.
_CELL_BORDER = re.compile(r"(?<!\\)\|")
_MARKER = "\u2063table-{}\u2063"


@dataclass
class Table:
    """A pipe table: a header row and body rows of Markdown cell texts."""

    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    caption: str = ""


def _cells(line: str) -> list[str]:
    text = line.strip()
    text = text.removeprefix("|")
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return [cell.strip() for cell in _CELL_BORDER.split(text)]


def split_tables(markdown: str) -> tuple[list[Block], list[Table]]:
    """Markdown blocks, with a marker paragraph where each table stood, and the tables."""
    blocks: list[Block] = []
    tables: list[Table] = []
    text_lines: list[str] = []
    table_lines: list[str] = []

    def flush_text() -> None:
        if text_lines:
            blocks.extend(parse("\n".join(text_lines)))
            text_lines.clear()

    def flush_table() -> None:
        if not table_lines:
            return
        if len(table_lines) >= 2 and _SEPARATOR.match(table_lines[1]):
            caption = next((b.text for b in reversed(blocks) if b.kind == "heading"), "Table")
            table = Table(_cells(table_lines[0]), [_cells(x) for x in table_lines[2:]], caption)
            blocks.append(Block("paragraph", _MARKER.format(len(tables))))
            tables.append(table)
        else:  # not a table after all: ordinary text
            blocks.extend(parse("\n".join(table_lines)))
        table_lines.clear()

    for line in markdown.replace("\r\n", "\n").split("\n"):
        if line.lstrip().startswith("|"):
            if not table_lines:
                flush_text()
            table_lines.append(line)
        else:
            flush_table()
            text_lines.append(line)
    flush_table()
    flush_text()
    return blocks, tables


def report_docx(markdown: str, *, default_title: str, made_on: dt.date) -> bytes:
    """The Markdown (with pipe tables) as the bytes of a .docx file."""
    from docx import Document

    from prosper_coop.outputs.docx_writer import write_docx

    blocks, tables = split_tables(markdown)
    title = title_of(blocks, default_title)
    data = write_docx(blocks, title=title, rendered_on=made_on)
    if not tables:
        return data
    document = Document(io.BytesIO(data))
    markers = {_MARKER.format(n): table for n, table in enumerate(tables)}
    for paragraph in list(document.paragraphs):
        table = markers.get(paragraph.text)
        if table is not None:
            _put_table(document, paragraph, table)
    buffer = io.BytesIO()
    document.save(buffer)
    from prosper_coop.outputs.docx_writer import reproducible_zip

    return reproducible_zip(buffer.getvalue())


def _put_table(document: Any, paragraph: Any, table: Table) -> None:
    """Write ``table`` where the marker ``paragraph`` is, and remove the marker."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    width = max([len(table.header), *(len(row) for row in table.rows)])
    made = document.add_table(rows=1 + len(table.rows), cols=width)
    made.style = document.styles["Table Grid"]
    for row_number, cells in enumerate([table.header, *table.rows]):
        row = made.rows[row_number]
        for column, text in enumerate(cells[:width]):
            cell_paragraph = row.cells[column].paragraphs[0]
            for span in spans(text):
                run = cell_paragraph.add_run(span.text)
                run.bold = (row_number == 0 or span.bold) or None
                run.italic = span.italic or None
    header = made.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)
    properties = made._tbl.tblPr
    caption = OxmlElement("w:tblCaption")
    caption.set(qn("w:val"), "".join(s.text for s in spans(table.caption))[:255])
    properties.append(caption)
    paragraph._p.addprevious(made._tbl)
    paragraph._p.getparent().remove(paragraph._p)
