"""Pictures for easy-read outputs: the icon set, choosing one per message, and making it safe.

Easy-read puts a picture on the left of each key message. The pictures are the
study's ``templates/icons/`` (a copy of the set shipped with prosper-coop, which
the team may change): ``NAME.svg`` for Markdown and web pages, ``NAME.png`` for
Word (python-docx cannot place an SVG), each listed in ``icons.yaml`` with its
alt text and the words that make it the right picture for a message
(:func:`choose_icon`). A study made before the set was shipped uses the shipped
set.

A study folder is hostile input, so an SVG is never copied as it is: it is read
as XML (no DOCTYPE or entities), and only plain drawing elements and attributes
are kept (:func:`read_svg`); scripts, links, styles, embedded images and text
are left out. The same clean drawing is inlined in the web page and written
beside the Markdown.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from prosper_coop.core.errors import NotFoundError, ValidationError

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from prosper_coop.outputs.markdown import Block

ICONS_DIR = "templates/icons"
ICON_TABLE = f"{ICONS_DIR}/icons.yaml"
ICON_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
MAX_SVG_BYTES = 100_000
MAX_PNG_BYTES = 1_000_000
MAX_PNG_SIDE = 2048
MAX_SVG_ELEMENTS = 1_000
MAX_SVG_DEPTH = 16
SVG_NS = "http://www.w3.org/2000/svg"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Plain drawing only: no script, link, use, image, text, style or foreignObject.
_ELEMENTS = frozenset(
    {"svg", "g", "path", "circle", "ellipse", "rect", "line", "polyline", "polygon"}
)
_ATTRIBUTES = frozenset(
    {
        "d",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "width",
        "height",
        "points",
        "transform",
        "fill",
        "fill-rule",
        "fill-opacity",
        "clip-rule",
        "stroke",
        "stroke-width",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-dasharray",
        "stroke-opacity",
        "opacity",
    }
)
# Numbers, colours, keywords and transform lists; never url(...) or an entity.
_VALUE = re.compile(r"^[#0-9A-Za-z .,()%+-]{0,20000}$")
_VIEW_BOX = re.compile(r"^\s*-?[\d.]+(?:[\s,]+-?[\d.]+){3}\s*$")

IconName = Annotated[str, StringConstraints(pattern=ICON_NAME.pattern)]
AltText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Keyword = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


class IconEntry(BaseModel):
    """One picture: what it shows (alt text) and the words that call for it."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    alt: AltText
    words: list[Keyword] = Field(default_factory=list)


class IconTable(BaseModel):
    """``templates/icons/icons.yaml``: the pictures, in order, and the one used by default."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    default: IconName
    icons: dict[IconName, IconEntry]


@dataclass(frozen=True)
class SvgArt:
    """A cleaned SVG drawing: its viewBox and its inner elements as markup."""

    view_box: str
    body: str


@dataclass(frozen=True)
class IconFile:
    """One picture file and where it came from (``templates/icons/NAME.svg`` in the study,
    or the shipped set)."""

    where: str
    data: bytes
    in_study: bool


# -- the table ------------------------------------------------------------------------------
def load_icon_table(root: Path | None) -> IconTable:
    """The study's ``templates/icons/icons.yaml``, else the shipped one (errors name file:line)."""
    from prosper_coop.core import yamlio
    from prosper_coop.core.defaults import study_or_default, where_of
    from prosper_coop.core.fsutil import read_regular_file
    from prosper_coop.core.study import parse_model

    path = study_or_default(root, *ICON_TABLE.split("/"))
    where = where_of(root, path)
    text = yamlio.decode(read_regular_file(path, where), where)
    table = parse_model(IconTable, text, where)
    if table.default not in table.icons:
        raise ValidationError(
            f"default: {table.default!r} is not one of the pictures listed under icons",
            f"Choose one of: {', '.join(table.icons)}.",
            file=where,
            line=yamlio.line_of(text, ("default",)),
        )
    return table


def choose_icon(table: IconTable, text: str, own: str | None = None) -> str:
    """The picture for a message: ``own`` if given, else the best keyword match, else the default.

    Each picture scores one point for each of its words found in ``text`` (whole
    words, any case); the highest score wins, and the first listed wins a tie.
    """
    if own:
        return own
    lowered = " ".join(re.findall(r"[a-z0-9']+(?:-[a-z0-9']+)*", text.lower()))
    padded = f" {lowered} "
    best, best_score = table.default, 0
    for name, entry in table.icons.items():
        score = sum(1 for word in entry.words if f" {_words_of(word)} " in padded)
        if score > best_score:
            best, best_score = name, score
    return best


def _words_of(phrase: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+(?:-[a-z0-9']+)*", phrase.lower()))


def icons_context(table: IconTable) -> dict[str, dict[str, str]]:
    """What templates see as ``icons``: ``{"phone": {"name": "phone", "alt": "A phone"}}``."""
    return {name: {"name": name, "alt": entry.alt} for name, entry in table.icons.items()}


def unknown_icon_error(name: str, table: IconTable) -> NotFoundError:
    """The error for a picture the output names that the icon table does not list."""
    return NotFoundError(
        f"the output shows the picture icons/{name}.svg, which is not listed in {ICON_TABLE}",
        f"Use one of: {', '.join(table.icons)}; or add the picture (NAME.svg and NAME.png) "
        f"to {ICONS_DIR}/ and list it in icons.yaml with its alt text, then save. "
        "Nothing was written.",
        file=ICON_TABLE,
    )


# -- the files ------------------------------------------------------------------------------
def icon_file(
    root: Path | None, name: str, suffix: str, *, svg_in_study: bool | None = None
) -> IconFile:
    """``templates/icons/NAME.svg`` or ``.png``: the study's copy, else the shipped one.

    A PNG comes from the same place as its SVG (``svg_in_study``), so that Word never
    shows a different picture from the web page. A link is refused, never followed.
    """
    from prosper_coop.core.defaults import default_path
    from prosper_coop.core.fsutil import read_regular_file

    rel = f"{ICONS_DIR}/{name}.{suffix}"
    limit = MAX_SVG_BYTES if suffix == "svg" else MAX_PNG_BYTES
    if root is not None and svg_in_study is not False:
        path = root / rel
        if path.is_file() or path.is_symlink():
            return IconFile(rel, read_regular_file(path, rel, limit=limit), True)
        if svg_in_study:
            raise NotFoundError(
                f"{rel} is missing: a Word document needs a PNG copy of each picture",
                f"Add a PNG of the same picture (about 256 by 256 pixels) as {rel} and save, "
                "or render without Word (--format md,html). Nothing was written.",
                file=rel,
            )
    shipped = default_path(*rel.split("/"))
    if not shipped.is_file():
        raise NotFoundError(
            f"{rel} is missing",
            f"Add the picture there and save, or choose another one from {ICON_TABLE}. "
            "Nothing was written.",
            file=rel,
        )
    return IconFile(rel, read_regular_file(shipped, str(shipped), limit=limit), False)


def check_png(file: IconFile) -> bytes:
    """The PNG's bytes, after checking it is a PNG of a sensible size."""
    data = file.data
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR" or len(data) < 33:
        raise ValidationError(
            f"{file.where} is not a PNG picture",
            "Save the picture as PNG (about 256 by 256 pixels), then render again. "
            "Nothing was written.",
            file=file.where,
        )
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    if not (0 < width <= MAX_PNG_SIDE and 0 < height <= MAX_PNG_SIDE):
        raise ValidationError(
            f"{file.where} is {width} by {height} pixels; a picture may be at most "
            f"{MAX_PNG_SIDE} on each side",
            "Save it smaller (about 256 by 256 pixels), then render again. Nothing was written.",
            file=file.where,
        )
    return data


def read_svg(file: IconFile) -> SvgArt:
    """The drawing in an SVG file, with everything but plain shapes left out.

    Refuses a DOCTYPE or entity (no entity expansion), anything that is not SVG,
    and drawings deeper or larger than a picture needs.
    """
    import xml.etree.ElementTree as ET

    where = file.where
    upper = file.data.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise _svg_error(where, "has a DOCTYPE or entity declaration, which pictures may not use")
    try:
        root = ET.fromstring(file.data)
    except ET.ParseError as exc:
        raise ValidationError(
            f"{where} is not a readable SVG picture ({exc})",
            "Save the picture again as plain SVG, then render again. Nothing was written.",
            file=where,
            line=exc.position[0],
        ) from None
    if _local(root.tag) != "svg" or _namespace(root.tag) not in ("", SVG_NS):
        raise _svg_error(where, "is not an SVG picture (it should start with <svg>)")
    view_box = root.get("viewBox", "").strip()
    if not _VIEW_BOX.match(view_box):
        width, height = root.get("width", ""), root.get("height", "")
        if not (_number(width) and _number(height)):
            raise _svg_error(where, "has no viewBox, so it cannot be scaled")
        view_box = f"0 0 {_number(width)} {_number(height)}"
    count = [0]
    body = "".join(_clean(child, where, count, 1) for child in root)
    return SvgArt(" ".join(view_box.replace(",", " ").split()), body)


def _svg_error(where: str, problem: str) -> ValidationError:
    return ValidationError(
        f"{where} {problem}",
        "Use a plain SVG drawing (shapes and paths), then render again. Nothing was written.",
        file=where,
    )


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _number(value: str) -> str:
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)(?:px)?\s*", value)
    return found.group(1) if found else ""


def _clean(element: Element, where: str, count: list[int], depth: int) -> str:
    """One element as markup, if it is a plain shape (its children likewise)."""
    name = _local(element.tag)
    if name not in _ELEMENTS or name == "svg" or _namespace(str(element.tag)) not in ("", SVG_NS):
        return ""
    count[0] += 1
    if count[0] > MAX_SVG_ELEMENTS or depth > MAX_SVG_DEPTH:
        raise _svg_error(where, "is too large or too deeply nested for a picture")
    attributes = "".join(
        f' {key}="{html.escape(value, quote=True)}"'
        for key, value in element.attrib.items()
        if key in _ATTRIBUTES and _VALUE.match(value) and "url" not in value.lower()
    )
    children = "".join(_clean(child, where, count, depth + 1) for child in element)
    return f"<{name}{attributes}>{children}</{name}>" if children else f"<{name}{attributes}/>"


# -- markup ---------------------------------------------------------------------------------
def svg_markup(art: SvgArt, alt: str, *, standalone: bool = False) -> str:
    """The drawing as an ``<svg>`` with ``role="img"``, ``aria-label`` and ``<title>`` alt text."""
    label = html.escape(alt, quote=True)
    xmlns = f' xmlns="{SVG_NS}"' if standalone else ""
    return (
        f'<svg{xmlns} viewBox="{art.view_box}" width="64" height="64" role="img" '
        f'aria-label="{label}" focusable="false"><title>{label}</title>{art.body}</svg>'
    )


# The stand-in :func:`prosper_coop.outputs.markdown.to_html` leaves for each picture.
_PLACEHOLDER = re.compile(
    r'<svg data-icon="(?P<name>[a-z0-9][a-z0-9-]{0,39})" role="img" '
    r'aria-label="(?P<alt>[^"<>]*)"></svg>'
)


def fill_pictures(page: str, arts: dict[str, SvgArt], alts: dict[str, str]) -> str:
    """The web page with each picture stand-in replaced by the drawing itself (inline SVG).

    An empty alt text in the Markdown gets the picture's alt text from the table.
    """

    def inline(found: re.Match[str]) -> str:
        name = found.group("name")
        art = arts.get(name)
        if art is None:
            return found.group()
        alt = html.unescape(found.group("alt")) or alts.get(name, "")
        return svg_markup(art, alt)

    return _PLACEHOLDER.sub(inline, page)


# -- one render's pictures ------------------------------------------------------------------
@dataclass
class Pictures:
    """The pictures one output shows, ready for each format."""

    arts: dict[str, SvgArt] = field(default_factory=dict)
    alts: dict[str, str] = field(default_factory=dict)  # the table's alt text of each
    pngs: dict[str, bytes] = field(default_factory=dict)  # for Word, when asked for
    study_files: list[str] = field(default_factory=list)  # files read from the study

    def html(self, page: str) -> str:
        """The web page with every picture drawn inline."""
        return fill_pictures(page, self.arts, self.alts)

    def beside_markdown(self) -> dict[str, bytes]:
        """``icons/NAME.svg`` files to write beside the Markdown (its image references)."""
        return {
            f"icons/{name}.svg": (svg_markup(art, self.alts[name], standalone=True) + "\n").encode()
            for name, art in self.arts.items()
        }


def prepare_pictures(root: Path | None, blocks: list[Block], *, png: bool) -> Pictures:
    """Read, check and clean the pictures that ``blocks`` name (and their PNGs if ``png``).

    A pictured block with no alt text gets the picture's alt text from the table.
    Raises an error naming the file when a picture is not listed, missing or unsafe.
    """
    names = list(dict.fromkeys(b.icon for b in blocks if b.kind == "pictured" and b.icon))
    pictures = Pictures()
    if not names:
        return pictures
    table = load_icon_table(root)
    for name in names:
        entry = table.icons.get(name)
        if entry is None:
            raise unknown_icon_error(name, table)
        svg = icon_file(root, name, "svg")
        pictures.arts[name] = read_svg(svg)
        pictures.alts[name] = entry.alt
        used = [svg]
        if png:
            image = icon_file(root, name, "png", svg_in_study=svg.in_study)
            pictures.pngs[name] = check_png(image)
            used.append(image)
        pictures.study_files.extend(file.where for file in used if file.in_study)
    for block in blocks:
        if block.kind == "pictured" and block.icon and not block.alt:
            block.alt = pictures.alts[block.icon]
    return pictures
