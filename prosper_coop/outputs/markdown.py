"""The small Markdown subset that output templates are written in, and its conversions.

Templates render to Markdown (headings ``#``, paragraphs, ``-`` and ``1.`` lists,
``**bold**``, ``*italic*``, ``[links](https://...)``). That one text is then turned
into HTML and Word, so the three formats always say the same thing. Lines between
``<!-- not-counted -->`` and ``<!-- /not-counted -->`` (credits, references) are
shown in every format but left out of the readability count.

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

    kind: str  # "heading", "paragraph", "bullets", "numbers"
    text: str = ""
    level: int = 0
    items: list[str] = field(default_factory=list)
    counted: bool = True

    def texts(self) -> list[str]:
        """The block's raw texts: one per list item, else one."""
        return list(self.items) if self.kind in ("bullets", "numbers") else [self.text]


def tidy(text: str) -> str:
    """Rendered Markdown with no trailing spaces, no runs of blank lines, one final newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"


def parse(markdown: str) -> list[Block]:
    """Split Markdown into blocks (the subset described in the module docstring)."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    counted = True

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", " ".join(paragraph), counted=counted))
            paragraph.clear()

    # Only \n and \r end a line, as in CommonMark (not str.splitlines's \u2028 and others).
    for raw in markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        stripped = line.strip()
        if stripped == NOT_COUNTED_START:
            flush()
            counted = False
            continue
        if stripped == NOT_COUNTED_END:
            flush()
            counted = True
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
