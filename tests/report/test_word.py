"""Pipe tables in the report's Markdown become real Word tables; the rest is as every output."""

from __future__ import annotations

import datetime as dt
import io

from prosper_coop.report.word import report_docx, split_tables

MARKDOWN = """# A report

Some **bold** words.

## Work packages

| Work package | Rating |
|---|---|
| WP1 \\| first | Green: complete |
| WP2 *new* | Amber: at risk |

- a list item

| not a table, one line only |
"""


def test_tables_are_found_between_ordinary_blocks() -> None:
    blocks, tables = split_tables(MARKDOWN)
    assert [b.kind for b in blocks] == ["heading", "paragraph", "heading", "paragraph",
                                        "bullets", "paragraph"]  # fmt: skip
    assert len(tables) == 1
    table = tables[0]
    assert table.header == ["Work package", "Rating"]
    assert table.rows == [["WP1 \\| first", "Green: complete"], ["WP2 *new*", "Amber: at risk"]]
    assert table.caption == "Work packages"
    assert blocks[-1].text == "| not a table, one line only |"


def test_the_word_document_holds_a_real_table_in_its_place() -> None:
    from docx import Document

    data = report_docx(MARKDOWN, default_title="x", made_on=dt.date(2026, 11, 26))
    assert data == report_docx(MARKDOWN, default_title="x", made_on=dt.date(2026, 11, 26))
    document = Document(io.BytesIO(data))
    assert document.core_properties.title == "A report"
    body = [child.tag.rsplit("}", 1)[1] for child in document.element.body]
    # heading, paragraph, heading, TABLE, list item, paragraph, section properties
    assert body[:6] == ["p", "p", "p", "tbl", "p", "p"]
    table = document.tables[0]
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells == [["Work package", "Rating"], ["WP1 | first", "Green: complete"],
                     ["WP2 new", "Amber: at risk"]]  # fmt: skip
    assert table.rows[0].cells[0].paragraphs[0].runs[0].bold is True
    assert table.rows[2].cells[0].paragraphs[0].runs[1].italic is True
    assert [p.text for p in document.paragraphs if "\u2063" in p.text] == []  # no marker left
