"""Reading and writing record files as YAML.

Reading is safe (no Python objects), refuses anchors and aliases (records never
need them, and alias "bombs" can exhaust memory), refuses oversized files, and
turns every YAML problem into a :class:`~prosper_coop.core.errors.ValidationError`
naming the file and line. Writing produces one canonical, diff-friendly form:
keys in model order, block style, UTF-8, multi-line text as literal blocks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from prosper_coop.core.errors import ValidationError

MAX_RECORD_BYTES = 1_000_000

try:  # the C loader is ten times faster; fall back where libyaml is missing
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
    _Dumper: type[yaml.SafeDumper] = yaml.CSafeDumper  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader
    _Dumper = yaml.SafeDumper


def _refuse_aliases(text: str, where: str) -> None:
    """Raise if the document uses anchors or aliases (checked on parser events)."""
    try:
        for event in yaml.parse(text, Loader=_Loader):
            anchor = getattr(event, "anchor", None)
            if isinstance(event, yaml.AliasEvent) or anchor is not None:
                line = event.start_mark.line + 1 if event.start_mark else None
                raise ValidationError(
                    "YAML anchors and aliases (& and *) are not allowed in study files",
                    "Write the value out in full instead of referring to it.",
                    file=where,
                    line=line,
                )
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, where) from None


def _yaml_error(exc: yaml.YAMLError, where: str) -> ValidationError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return ValidationError(
        f"this file is not valid YAML: {problem}",
        "Fix the line shown (check indentation, colons and quotes; text that contains "
        "': ' needs quotes around it), then try again.",
        file=where,
        line=mark.line + 1 if mark is not None else None,
    )


def loads(text: str, where: str) -> Any:
    """Parse YAML text safely; ``where`` names the file in error messages."""
    if len(text) > MAX_RECORD_BYTES:
        raise ValidationError(
            f"file is too large for a study record ({len(text)} bytes)",
            f"Records are small files (under {MAX_RECORD_BYTES // 1000} kB).",
            file=where,
        )
    if "&" in text or "*" in text:  # cheap pre-check; the event scan is exact
        _refuse_aliases(text, where)
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, where) from None
    except (ValueError, OverflowError) as exc:  # e.g. due: 2027-02-30
        raise _value_error(exc, text, where) from None


_DATE_LIKE = re.compile(r"(?<![\w-])(\d{4}-\d{1,2}-\d{1,2})(?:[Tt ][^\s#]*)?")


def _value_error(exc: Exception, text: str, where: str) -> ValidationError:
    """A value YAML could read but not turn into a real date or time."""
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _DATE_LIKE.finditer(line.split("#", 1)[0]):
            try:
                dt.date.fromisoformat(_pad_date(match.group(1)))
            except ValueError:
                field_name = line.split(":", 1)[0].strip(" -") if ":" in line else "(value)"
                return ValidationError(
                    f"{field_name}: {match.group(1)} is not a real date ({exc})",
                    "Use a real date in the form YYYY-MM-DD, then try again.",
                    file=where,
                    line=number,
                )
    return ValidationError(
        f"a value could not be read ({exc})",
        "Check the dates and numbers in this file, then try again.",
        file=where,
    )


def _pad_date(text: str) -> str:
    year, month, day = text.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


def decode(data: bytes, where: str) -> str:
    """Decode a file's bytes as UTF-8, or raise a clear error."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"file is not UTF-8 text (byte {exc.start})",
            "Save the file as UTF-8 in your editor, then try again.",
            file=where,
        ) from None


def load_file(path: Path, where: str | None = None) -> Any:
    """Read and parse one YAML file."""
    label = where or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValidationError("file not found", file=label) from None
    return loads(decode(data, label), label)


def line_of(text: str, loc: Sequence[str | int]) -> int | None:
    """Best-effort line number of the value at ``loc`` (a pydantic error location).

    Only called on the error path, so it may re-parse the document.
    """
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    best: int | None = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if node is None:
            break
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == str(part):
                    child = value_node
                    best = key_node.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
            best = child.start_mark.line + 1
        node = child
    return best


class _CanonicalDumper(_Dumper):  # type: ignore[misc,valid-type]
    """Block style, literal blocks for multi-line text, dates unquoted, never anchors."""

    def ignore_aliases(self, data: Any) -> bool:  # noqa: ARG002 - PyYAML's signature
        # Equal values (e.g. the same date in two fields) must be written out in full:
        # the loader refuses anchors and aliases.
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _represent_enum(dumper: yaml.SafeDumper, value: Enum) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value.value))


def _represent_datetime(dumper: yaml.SafeDumper, value: dt.datetime) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


_CanonicalDumper.add_representer(str, _represent_str)
_CanonicalDumper.add_multi_representer(Enum, _represent_enum)
_CanonicalDumper.add_representer(dt.datetime, _represent_datetime)


def dumps(data: Any) -> str:
    """Serialise plain data (dicts, lists, scalars) in the canonical form."""
    text: str = yaml.dump(
        data,
        Dumper=_CanonicalDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=88,
        indent=2,
    )
    return text
