"""Checking what a file holds, strictly, and saying what is wrong in plain words.

A file is checked as its JSON Schema (``prosper-coop schema``) describes it: the YAML
is read as JSON data (dates and times as ISO text, as an editor's YAML plug-in sees
them) and validated in pydantic's strict JSON mode. So nothing is quietly converted:
``due: 86400`` is not a date and ``hours: "3"`` is not a number, for ``doctor`` as for
the schema. Enumerated choices are text in JSON, so ``status: todo`` stays valid.

Pydantic's messages are written for programmers ("Datetimes provided to dates should
have zero time"); :func:`plain_problem` says the same to a coordinator, with the value
and the way to write it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any, TypeVar

from prosper_coop.core.errors import ValidationError

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic_core import ErrorDetails

M = TypeVar("M", bound="BaseModel")

DATE_HOW = "write it as YYYY-MM-DD, e.g. 2026-03-01"
DATETIME_HOW = "write it as YYYY-MM-DDTHH:MM:SS+00:00, e.g. 2026-03-01T10:30:00+00:00"
SHOWN_TEXT = 40  # longer text is cut short in messages (it may be a long note)


def validate_strictly(model: type[M], data: Any, where: str) -> M:
    """Validate YAML data as its JSON Schema says: no value of the wrong kind converted.

    Raises pydantic's ValidationError (turned into ours by the caller, which knows the
    file's text and so its lines).
    """
    return model.model_validate_json(json_text(data, where), strict=True)


def json_text(data: Any, where: str) -> str:
    """The data YAML read, as JSON text: dates and times as ISO text, keys as text."""
    return json.dumps(_json_value(data, where))


def _json_value(value: Any, where: str) -> Any:
    if isinstance(value, str) or value is None:  # most values: checked first
        return value
    if isinstance(value, dict):
        return {_json_key(key): _json_value(item, where) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_value(item, where) for item in value]
    if isinstance(value, dt.date):  # and dt.datetime, a subclass
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)  # JSON Schema: 3.0 is a whole number, as 3 is
    if isinstance(value, int | float):
        return value
    raise ValidationError(
        f"a value YAML reads as {type(value).__name__} (a !!binary or !!set tag) "
        "cannot be kept in a study file",
        "Write it as plain text, a number, a date, a list or 'name: value' lines.",
        file=where,
    )


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, dt.date):
        return key.isoformat()
    return json.dumps(key)  # 1 -> "1", true -> "true", null -> "null"


# -- plain words -----------------------------------------------------------------------
def field_of(error: ErrorDetails) -> str:
    """Where a problem is, as a dotted path of fields (``ticks.0.at``)."""
    return ".".join(str(part) for part in error.get("loc", ())) or "(record)"


def plain_problem(error: ErrorDetails) -> str:
    """One pydantic problem in words a coordinator understands, with how to fix it."""
    kind = error.get("type", "")
    value = error.get("input")
    context: dict[str, Any] = dict(error.get("ctx") or {})
    shown = show(value)
    if kind == "missing":
        return "this field is required but missing; add a line for it"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see: prosper-coop schema)"
    if kind.startswith("date_"):
        return f"{shown} is not {_real('a date', context)}; {DATE_HOW}"
    if kind.startswith(("datetime_", "timezone_")):
        return f"{shown} is not {_real('a date and time', context)}; {DATETIME_HOW}"
    if kind == "string_type":
        if isinstance(value, list | dict):
            return f"this should be text, not {shown}"
        return f'{shown} is not text; put it in quotes: "{_raw(value)}"'
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"{shown} is not a whole number; write digits without quotes, e.g. 2"
    if kind in {"float_type", "float_parsing"}:
        return f"{shown} is not a number; write it without quotes, e.g. 3 or 2.5"
    if kind in {"bool_type", "bool_parsing"}:
        return f"{shown} is not true or false; write true or false without quotes"
    if kind in {"enum", "literal_error"}:
        choices = str(context.get("expected", "")).replace("'", "")
        return f"{shown} is not one of the choices: {choices}"
    if kind in {"list_type", "tuple_type", "set_type"}:
        return f"{shown} should be a list, one '- item' per line"
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return f"{shown} should be a group of fields, one 'name: value' per line"
    if kind == "string_pattern_mismatch":
        example = _example_for(str(context.get("pattern", "")))
        return f"{shown} is not in the expected form" + (
            f", e.g. {example}" if example else " (see: prosper-coop schema)"
        )
    if kind == "string_too_short":
        if context.get("min_length") == 1:
            return "is empty; write some text"
        return f"is too short: at least {context.get('min_length')} characters"
    if kind == "string_too_long":
        return f"is too long: at most {context.get('max_length')} characters"
    if kind == "too_short":
        return f"needs at least {context.get('min_length')} item(s)"
    if kind == "too_long":
        return f"has too many items: at most {context.get('max_length')}"
    bounds = {
        "greater_than": ("too small", "more than {gt}"),
        "greater_than_equal": ("too small", "{ge} or more"),
        "less_than": ("too large", "less than {lt}"),
        "less_than_equal": ("too large", "{le} or less"),
    }
    if kind in bounds:
        what, rule = bounds[kind]
        limits = {name: show(limit) for name, limit in context.items()}
        return f"{shown} is {what}; it must be {rule.format(**limits)}"
    if kind == "finite_number":
        return f"{shown} is not a finite number"
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _real(what: str, context: dict[str, Any]) -> str:
    """``a date``, or ``a real date (day is out of range for month)`` when it says why."""
    if "reason" not in context:
        return what
    return f"a real {what.removeprefix('a ')} ({context['reason']})"


def show(value: Any) -> str:
    """A value as the file shows it: short, quoted if text, with no control characters."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a limit of 24.0 hours reads as 24
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    return f'"{_raw(value)}"'


def _raw(value: Any) -> str:
    """Text of a scalar value, cut short and with control characters made visible."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    if len(text) > SHOWN_TEXT:
        text = text[: SHOWN_TEXT - 3] + "..."
    return "".join(char if char.isprintable() else f"\\u{ord(char):04x}" for char in text)


def _example_for(pattern: str) -> str | None:
    """An example of a record ID in the form ``pattern`` asks for (``CR-01``)."""
    from prosper_coop.core import ids
    from prosper_coop.core.records import RECORD_TYPES

    examples = {rtype.pattern.pattern: rtype.example for rtype in RECORD_TYPES}
    examples[ids.MILESTONE_ID.pattern] = "M1"
    return examples.get(pattern)
