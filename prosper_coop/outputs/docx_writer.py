"""Writing rendered Markdown blocks as a Word document (.docx) with python-docx.

Headings use Word's own heading styles (so the navigation pane and screen readers
see the structure), lists use the list styles, bold and italic are real run
formatting and links are real hyperlinks. An easy-read line (a pictured block)
is a row of a borderless two-column table: the picture (a PNG, with its alt text)
on the left, one paragraph per sentence on the right. The file is byte-for-byte
reproducible: fixed zip timestamps and document properties taken from the render date.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping
from typing import Any

from prosper_coop.outputs.markdown import Block, spans

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# Paragraphs outside the readability count carry a hidden bookmark (Word hides
# bookmarks whose names start with "_"), so `readability` on the .docx counts the
# same text as on the Markdown.
NOT_COUNTED_BOOKMARK = "_prosper_not_counted"
HYPERLINK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
# Easy-read pictures: the picture's width and the width of the column it sits in.
PICTURE_CM = 2.2
PICTURE_COLUMN_CM = 2.9


def write_docx(
    blocks: list[Block],
    *,
    title: str,
    rendered_on: dt.date,
    language: str = "en-GB",
    font_size_pt: int = 12,
    pictures: Mapping[str, bytes] | None = None,
) -> bytes:
    """The blocks as the bytes of a .docx file.

    ``pictures`` holds the PNG of each picture that pictured blocks name; a block
    whose picture is not there is written without one.
    """
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(font_size_pt)
    r_pr = normal.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), language)
    r_pr.append(lang)
    if font_size_pt > 12:  # large text (easy read): headings stay larger than the text
        for level, extra in ((1, 8), (2, 4), (3, 2)):
            document.styles[f"Heading {level}"].font.size = Pt(font_size_pt + extra)

    props = document.core_properties
    moment = dt.datetime(rendered_on.year, rendered_on.month, rendered_on.day)
    props.title = title
    props.author = "prosper-coop"
    props.last_modified_by = "prosper-coop"
    props.language = language
    props.created = moment
    props.modified = moment
    props.revision = 1

    marks = 0
    table = None  # the table that consecutive pictured blocks share
    for block in blocks:
        paragraphs: list[Any] = []
        if block.kind != "pictured":
            table = None
        if block.kind == "pictured":
            if table is None:
                table = _picture_table(document)
            paragraphs.extend(
                _add_pictured_row(table, block, (pictures or {}).get(block.icon or ""))
            )
        elif block.kind == "heading":
            paragraph = document.add_heading("", level=min(block.level, 9))
            _add_runs(paragraph, block.text)
            paragraphs.append(paragraph)
        elif block.kind == "paragraph":
            paragraph = document.add_paragraph()
            _add_runs(paragraph, block.text)
            paragraphs.append(paragraph)
        else:
            style = "List Bullet" if block.kind == "bullets" else "List Number"
            restart = _restarted_numbering(document) if block.kind == "numbers" else None
            for item in block.items:
                paragraph = document.add_paragraph(style=style)
                if restart is not None:
                    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
                    num_pr.get_or_add_ilvl().val = 0
                    num_pr.get_or_add_numId().val = restart
                _add_runs(paragraph, item)
                paragraphs.append(paragraph)
        if not block.counted:
            for paragraph in paragraphs:
                marks += 1
                _mark_not_counted(paragraph, marks)

    buffer = io.BytesIO()
    document.save(buffer)
    return reproducible_zip(buffer.getvalue())


def _picture_table(document: Any) -> Any:
    """An empty borderless table of two columns (picture, text) as wide as the text."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    table = document.add_table(rows=0, cols=2)
    table.autofit = False
    widths = (Cm(PICTURE_COLUMN_CM), text_width - Cm(PICTURE_COLUMN_CM))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "nil")
        borders.append(line)
    tbl_pr.append(borders)
    look = tbl_pr.find(qn("w:tblLook"))
    if look is not None:  # a layout table: no header row or first column to announce
        for name in ("w:firstRow", "w:firstColumn"):
            look.set(qn(name), "0")
    return table


def _add_pictured_row(table: Any, block: Block, png: bytes | None) -> list[Any]:
    """A row: the picture (with its alt text) on the left, one paragraph per sentence."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.shared import Cm

    row = table.add_row()
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # picture and text together
    picture_cell, text_cell = row.cells
    for cell, column in zip(row.cells, table.columns, strict=True):
        cell.width = column.width
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    picture_paragraph = picture_cell.paragraphs[0]
    if png is not None:
        shape = picture_paragraph.add_run().add_picture(io.BytesIO(png), width=Cm(PICTURE_CM))
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", block.alt)  # Word's alt text
        doc_pr.set("title", block.alt)
    paragraphs = [picture_paragraph]
    for number, line in enumerate(block.items or [""]):
        paragraph = text_cell.paragraphs[0] if number == 0 else text_cell.add_paragraph()
        _add_runs(paragraph, line)
        paragraphs.append(paragraph)
    return paragraphs


def _restarted_numbering(document: Any) -> int:
    """A numbering instance of the "List Number" list that starts again at 1.

    Every "List Number" paragraph shares one numbering, so without this the second
    numbered list in a document would carry on from the first.
    """
    numbering = document.part.numbering_part.element
    style_num_id = document.styles["List Number"].element.pPr.numPr.numId.val
    abstract_id = numbering.num_having_numId(style_num_id).abstractNumId.val
    num = numbering.add_num(abstract_id)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return int(num.numId)


def _mark_not_counted(paragraph: Any, number: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), f"{NOT_COUNTED_BOOKMARK}_{number}")
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(number))
    p_pr = paragraph._p.pPr
    if p_pr is not None:
        p_pr.addnext(start)
    else:
        paragraph._p.insert(0, start)
    paragraph._p.append(end)


def _add_runs(paragraph: Any, text: str) -> None:
    for span in spans(text):
        if span.href:
            _add_hyperlink(paragraph, span.text, span.href, bold=span.bold)
            continue
        run = paragraph.add_run(span.text)
        run.bold = span.bold or None
        run.italic = span.italic or None


def _add_hyperlink(paragraph: Any, text: str, url: str, *, bold: bool) -> None:
    """A real, clickable hyperlink (python-docx has no public API for adding one)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rel_id = paragraph.part.relate_to(url, HYPERLINK_REL, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    r_pr = OxmlElement("w:rPr")
    if bold:
        r_pr.append(OxmlElement("w:b"))
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "0B4F8A")
    r_pr.append(colour)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    r_pr.append(underline)
    run.append(r_pr)
    text_el = OxmlElement("w:t")
    text_el.text = text
    text_el.set(qn("xml:space"), "preserve")
    run.append(text_el)
    link.append(run)
    paragraph._p.append(link)


def reproducible_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps so the same input gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def docx_paragraphs(data: bytes, *, counted_only: bool = False) -> list[str]:
    """The text of each paragraph in a .docx, in order, those in tables too
    (optionally only the counted ones)."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    document = Document(io.BytesIO(data))
    texts = []
    for element in document.element.body.iter(qn("w:p")):
        paragraph = Paragraph(element, document._body)
        if counted_only:
            names = [
                mark.get(qn("w:name"), "") for mark in paragraph._p.iter(qn("w:bookmarkStart"))
            ]
            if any(name.startswith(NOT_COUNTED_BOOKMARK) for name in names):
                continue
        texts.append(paragraph.text)
    return texts
