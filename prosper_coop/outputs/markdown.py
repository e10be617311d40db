"""The small Markdown subset that output templates are written in, and its conversions.

Templates render to Markdown (headings ``#``, paragraphs, ``-`` and ``1.`` lists,
``**bold**``, ``*italic*``, ``[links](https://...)``). That one text is then turned
into HTML and Word, so the three formats always say the same thing. Lines between
``<!-- not-counted -->`` and ``<!-- /not-counted -->`` (credits, references) are
shown in every format but left out of the readability count; such parts may nest.

A paragraph that starts with a picture from the icon set,
``![what it shows](icons/NAME.svg) Text.``, is an easy-read line: the picture on
the left, the text on the right with each sentence on a line of its own. The web
page gets the drawing itself (see :mod:`prosper_coop.outputs.icons`), Word a
two-column table.

Text from records is text in every format: :func:`escape` (applied to every
``{{ value }}`` of a Markdown template) backslash-escapes whatever Markdown would
read as formatting, so a key message such as ``1986. was a year; # not a heading``
stays one sentence, and a backslash before ASCII punctuation is read back here as
that character, as CommonMark does.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

NOT_COUNTED_START = "<!-- not-counted -->"
NOT_COUNTED_END = "<!-- /not-counted -->"

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_BULLET = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s{0,3}\d{1,3}[.)]\s+(.*)$")
_COMMENT = re.compile(r"^\s*<!--.*-->\s*$")
_INLINE = re.compile(
    r"\*\*(?P<bold>.+?)\*\*"
    r"|(?<![\w*])\*(?P<italic>[^*\s](?:[^*]*[^*\s])?)\*(?![\w*])"
    r"|\[(?P<label>[^\]]+)\]\((?P<href>[^)\s]+)\)"
)
_SAFE_HREF = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)
# A picture from the icon set at the start of a paragraph (an easy-read line).
_PICTURE = re.compile(
    r"^!\[(?P<alt>(?:\\.|[^\]\\])*)\]"
    r"\(icons/(?P<name>[a-z0-9][a-z0-9-]{0,39})\.svg\)\s*(?P<rest>.*)$"
)
# Where one sentence ends and the next begins (a capital, digit, quote or bracket);
# not after an initial ("J. K.") or a title ("Dr.").
_SENTENCE_GAP = re.compile(
    r"(?<!\b[A-Z])(?<!\b(?:Dr|Mr|Ms|Mx|St|No|vs))(?<!\bMrs)(?<!\b[ei]\.[ge])"
    r"[.!?][\"'”’)]*(?P<gap>\s+)(?=[A-Z0-9\"“‘'(\[*])"
)
# A backslash before ASCII punctuation: that character as itself (CommonMark).
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
# Characters that start or end inline formatting, HTML, code, tables or headings.
_SPECIAL = re.compile(r"[\\`*_\[\]()<>#~|]")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# Every character that ends a line for Python or for a Markdown reader, with the
# spaces around it: record text stays inside the heading, item or paragraph it is in.
_LINE_BREAK = re.compile(r"\s*[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]\s*")
# What would start a list, a heading underline or a list number at the start of a line.
_LINE_START = re.compile(r"^(?:[-+=]|\d{1,9}(?=\.(?:\s|$)))")


class Trusted(str):
    """Markdown the study team wrote on purpose (``templates/wording.yaml``): not escaped."""

    __slots__ = ()


def escape(value: object) -> str:
    """``value`` as Markdown that shows exactly its text, with no formatting of its own.

    Line breaks become spaces (the text stays in its heading, list item or
    paragraph); every character Markdown could read as formatting, HTML, a link or
    an entity is backslash-escaped; so is a list or heading marker at the start.
    :class:`Trusted` text is returned as it is.
    """
    if isinstance(value, Trusted):
        return str(value)
    text = _LINE_BREAK.sub(" ", str(value)).strip()
    text = _SPECIAL.sub(lambda found: "\\" + found.group(), text)
    text = _ENTITY.sub(r"\\&", text)
    start = _LINE_START.match(text)
    if start is not None:
        end = start.end()
        text = text[:end] + "\\" + text[end:] if text[0].isdigit() else "\\" + text
    return text


def unescape(text: str) -> str:
    """Markdown text with its backslash escapes read (``\\*now\\*`` -> ``*now*``)."""
    return _ESCAPED.sub(r"\1", text)


@dataclass(frozen=True)
class Span:
    """A run of text with its inline formatting."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None


@dataclass
class Block:
    """A heading, paragraph or list."""

    kind: str  # "heading", "paragraph", "bullets", "numbers", "pictured"
    text: str = ""
    level: int = 0
    items: list[str] = field(default_factory=list)  # list items; a pictured line's sentences
    counted: bool = True
    icon: str | None = None  # "pictured": the picture's name in the icon set
    alt: str = ""  # "pictured": the alt text written in the Markdown (may be empty)

    def texts(self) -> list[str]:
        """The block's raw texts: one per list item or sentence of a pictured line, else one."""
        return list(self.items) if self.kind in ("bullets", "numbers", "pictured") else [self.text]


def tidy(text: str) -> str:
    """Rendered Markdown with no trailing spaces, no runs of blank lines, one final newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"


def parse(markdown: str) -> list[Block]:
    """Split Markdown into blocks (the subset described in the module docstring)."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    counted = True
    depth = 0

    def flush() -> None:
        if paragraph:
            text = " ".join(paragraph)
            picture = _PICTURE.match(text)
            if picture is None:
                blocks.append(Block("paragraph", text, counted=counted))
            else:
                rest = picture.group("rest")
                blocks.append(
                    Block(
                        "pictured",
                        rest,
                        items=sentences(rest),
                        counted=counted,
                        icon=picture.group("name"),
                        alt=unescape(picture.group("alt")).strip(),
                    )
                )
            paragraph.clear()

    # Only \n and \r end a line, as in CommonMark (not str.splitlines's \u2028 and others).
    for raw in markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        stripped = line.strip()
        if stripped in (NOT_COUNTED_START, NOT_COUNTED_END):
            # Parts nest (a shared part such as _support.md.j2 marks itself, and may be
            # included inside a template's own not-counted part): count the depth.
            flush()
            depth = depth + 1 if stripped == NOT_COUNTED_START else max(depth - 1, 0)
            counted = depth == 0
            continue
        if not stripped or _COMMENT.match(line):
            flush()
            continue
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        numbered = _NUMBERED.match(line)
        if heading:
            flush()
            blocks.append(
                Block("heading", heading.group(2), level=len(heading.group(1)), counted=counted)
            )
        elif bullet or numbered:
            flush()
            kind = "bullets" if bullet else "numbers"
            item = (bullet or numbered).group(1).strip()  # type: ignore[union-attr]
            last = blocks[-1] if blocks else None
            if last is not None and last.kind == kind and last.counted == counted:
                last.items.append(item)
            else:
                blocks.append(Block(kind, items=[item], counted=counted))
        elif line.startswith(("  ", "\t")) and blocks and blocks[-1].kind in ("bullets", "numbers"):
            if paragraph:
                paragraph.append(stripped)
            else:
                blocks[-1].items[-1] += " " + stripped  # a list item continued
        else:
            paragraph.append(stripped)
    flush()
    return blocks


def spans(text: str) -> list[Span]:
    """Inline formatting of one block's text."""
    found: list[Span] = []
    position = 0
    # Formatting is found in a copy where each escaped character is masked (same
    # length, so positions agree); the span texts come from the text itself.
    masked = _ESCAPED.sub("\0\0", text)

    def part(match: re.Match[str], group: str) -> str:
        return unescape(text[match.start(group) : match.end(group)])

    for match in _INLINE.finditer(masked):
        if match.start() > position:
            found.append(Span(unescape(text[position : match.start()])))
        if match.group("bold") is not None:
            found.append(Span(part(match, "bold"), bold=True))
        elif match.group("italic") is not None:
            found.append(Span(part(match, "italic"), italic=True))
        else:
            href = part(match, "href")
            found.append(Span(part(match, "label"), href=href if _SAFE_HREF.match(href) else None))
        position = match.end()
    if position < len(text):
        found.append(Span(unescape(text[position:])))
    return found


def sentences(text: str) -> list[str]:
    """A paragraph's Markdown text cut into its sentences (never inside a link or emphasis).

    Easy-read puts one idea on each line; a sentence ends at ``.``, ``!`` or ``?``
    followed by a space and a capital, digit, quote or bracket.
    """
    masked = _ESCAPED.sub("\0\0", text)
    inside = [(found.start(), found.end()) for found in _INLINE.finditer(masked)]
    found: list[str] = []
    start = 0
    for end in _SENTENCE_GAP.finditer(masked):
        gap = end.start("gap")
        if any(first < gap < last for first, last in inside):
            continue
        found.append(text[start:gap])
        start = end.end("gap")
    found.append(text[start:])
    return [sentence for sentence in found if sentence.strip()]


def plain(text: str) -> str:
    """A block's text without inline formatting marks."""
    return "".join(span.text for span in spans(text))


def _inline_html(text: str) -> str:
    parts = []
    for span in spans(text):
        content = html.escape(span.text, quote=False)
        if span.href:
            content = f'<a href="{html.escape(span.href)}">{content}</a>'
        if span.italic:
            content = f"<em>{content}</em>"
        if span.bold:
            content = f"<strong>{content}</strong>"
        parts.append(content)
    return "".join(parts)


def to_html(blocks: list[Block]) -> str:
    """HTML for the blocks (all text escaped; links only to http, https or mailto).

    Blocks outside the readability count are wrapped in ``<div data-not-counted>``
    so that ``readability`` on the HTML page counts the same text as on the Markdown.
    A pictured line is a ``<div class="pictured">`` holding a stand-in
    ``<svg data-icon="NAME" ...>`` (filled with the drawing by
    :func:`prosper_coop.outputs.icons.fill_pictures`) and one ``<p>`` per sentence.
    """
    lines: list[str] = []
    in_skip = False
    for block in blocks:
        if not block.counted and not in_skip:
            lines.append("<div data-not-counted>")
            in_skip = True
        elif block.counted and in_skip:
            lines.append("</div>")
            in_skip = False
        if block.kind == "heading":
            lines.append(f"<h{block.level}>{_inline_html(block.text)}</h{block.level}>")
        elif block.kind == "paragraph":
            lines.append(f"<p>{_inline_html(block.text)}</p>")
        elif block.kind == "pictured":
            alt = html.escape(block.alt, quote=True)
            lines.append('<div class="pictured">')
            lines.append(f'  <svg data-icon="{block.icon}" role="img" aria-label="{alt}"></svg>')
            lines.append('  <div class="lines">')
            lines.extend(f"    <p>{_inline_html(item)}</p>" for item in block.items)
            lines.append("  </div>")
            lines.append("</div>")
        else:
            tag = "ul" if block.kind == "bullets" else "ol"
            lines.append(f"<{tag}>")
            lines.extend(f"  <li>{_inline_html(item)}</li>" for item in block.items)
            lines.append(f"</{tag}>")
    if in_skip:
        lines.append("</div>")
    return "\n".join(lines)


def heading_levels(blocks: list[Block]) -> list[int]:
    """The level of each heading, in order (for checking they do not skip levels)."""
    return [block.level for block in blocks if block.kind == "heading"]


def title_of(blocks: list[Block], default: str) -> str:
    """The text of the first level-1 heading (the document title)."""
    for block in blocks:
        if block.kind == "heading" and block.level == 1:
            return plain(block.text)
    return default
