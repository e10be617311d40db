"""``doctor`` and the published JSON Schemas give the same verdict (issue 14, item 19).

Every record of the example study, and a set of hand-edit mistakes made to one record
of each type, is judged twice: by a real JSON Schema validator against what
``prosper-coop schema`` prints (on the file as YAML reads it, dates as ISO text, as an
editor's YAML plug-in sees it), and by ``doctor`` (encrypted records, which ``doctor``
cannot open, by the reading every command does). The verdicts must be the same.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from prosper_coop import doctor
from prosper_coop.core.errors import UserError
from prosper_coop.core.records import RECORD_TYPES, RecordType, by_folder
from prosper_coop.core.study import Study, parse_model

Mutation = tuple[str, Any]  # (what was done, the data after it)


def json_view(value: Any) -> Any:
    """YAML data as JSON holds it: dates and times as ISO text, keys as text."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {_key(key): json_view(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_view(item) for item in value]
    return value


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, dt.date | dt.datetime):
        return key.isoformat()
    return json.dumps(key)


def published_schemas(cli: Any) -> dict[str, Draft202012Validator]:
    """A validator for each schema ``prosper-coop schema`` prints (formats checked)."""
    result = cli("schema")
    assert result.exit_code == 0, result.output
    return {
        name: Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        for name, schema in json.loads(result.stdout).items()
    }


def schema_name(rel: str) -> str:
    return "study" if rel == "study.yaml" else by_folder()[rel.split("/", 1)[0]].name


def shared_files(study: Study) -> list[str]:
    """study.yaml and every plain-YAML record file, relative to the study."""
    files = ["study.yaml"]
    for rtype in RECORD_TYPES:
        if not rtype.sensitive:
            files += [study.rel(path) for path in study.record_files(rtype)]
    return files


def sealed_texts(study: Study) -> dict[str, str]:
    """The plaintext YAML of every encrypted record (example keys are on this machine)."""
    import pyrage

    from prosper_coop.crypto import keys

    identities = [
        keys.unlock(person.age_recipient)
        for person in study.load_all(by_folder()["people"])
        if person.age_recipient and keys.find(person.age_recipient) is not None
    ]
    texts: dict[str, str] = {}
    for rtype in RECORD_TYPES:
        if rtype.sensitive:
            for path in study.record_files(rtype):
                plain = pyrage.decrypt(path.read_bytes(), identities)
                texts[study.rel(path)] = plain.decode("utf-8")
    return texts


def model_of(rel: str) -> RecordType:
    return by_folder()[rel.split("/", 1)[0]]


def doctor_errors(study: Study) -> set[str]:
    """Paths ``doctor`` finds an error in."""
    return {p.path for p in doctor.check_study(study) if p.severity == "error"}


def reads(rel: str, text: str) -> bool:
    """Whether the reading every command does accepts an (encrypted) record's text."""
    try:
        parse_model(model_of(rel).model, text, rel)
    except UserError:
        return False
    return True


# -- mutations ------------------------------------------------------------------------
def wrong_values(value: Any) -> Iterator[tuple[str, Any]]:
    """Values of another kind to put where ``value`` is (and a few of the same kind)."""
    yield "null", None
    if isinstance(value, bool):
        yield "text for true/false", "yes"
        yield "number for true/false", 1
    elif isinstance(value, dt.datetime):
        yield "number for date-time", 1767225600
        yield "digits in quotes for date-time", "1767225600"
        yield "text for date-time", "this morning"
        yield "date for date-time", value.date()
        yield "date-time without offset", value.replace(tzinfo=None)
        yield "date-time in quotes", value.isoformat()
    elif isinstance(value, dt.date):
        yield "number for date", 86400
        yield "digits in quotes for date", "86400"
        yield "text for date", "next week"
        yield "date-time for date", dt.datetime(value.year, value.month, value.day)
        yield "date in quotes", value.isoformat()
        yield "date without leading zeros", f"{value.year}-{value.month}-{value.day}"
    elif isinstance(value, int | float):
        yield "number in quotes", str(value)
        yield "true/false for number", True
        yield "whole number", int(value)
        yield "fraction", int(value) + 0.5
        yield "list for number", [value]
    elif isinstance(value, str):
        yield "number for text", 12
        yield "true/false for text", True
        yield "list for text", [value]
        yield "mapping for text", {"text": value}
    elif isinstance(value, list):
        yield "text for list", "x"
        yield "mapping for list", {"x": 1}
    elif isinstance(value, dict):
        yield "text for mapping", "x"
        yield "list for mapping", [value]


def places(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every value's place in a record: all fields, and the first item of each list."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*path, key), value
            yield from places(value, (*path, key))
    elif isinstance(data, list) and data:
        yield (*path, 0), data[0]
        yield from places(data[0], (*path, 0))


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {k: replaced(v, rest, value) if k == head else v for k, v in data.items()}
    return [replaced(v, rest, value) if i == head else v for i, v in enumerate(data)]


def mutations(data: dict[str, Any], schema: dict[str, Any]) -> list[Mutation]:
    """Hand-edit mistakes (and harmless rewrites) of one record's data."""
    found: list[Mutation] = [
        ("a list instead of a mapping", [data]),
        ("an unknown field", {**data, "colour": "blue"}),
        ("an unknown field in lower case", {**data, "Status": "todo"}),
    ]
    for name in schema.get("required", []):
        found.append((f"{name} missing", {k: v for k, v in data.items() if k != name}))
    for path, value in places(data):
        where = ".".join(str(part) for part in path)
        for label, wrong in wrong_values(value):
            found.append((f"{where}: {label}", replaced(data, path, wrong)))
    return found


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


# -- the tests --------------------------------------------------------------------------
def test_every_example_record_is_valid_for_doctor_and_the_schemas(
    cli: Any, example_study: Study
) -> None:
    validators = published_schemas(cli)
    root = example_study.root
    rejected: list[str] = []
    for rel in shared_files(example_study):
        data = yaml.safe_load((root / rel).read_text(encoding="utf-8"))
        errors = list(validators[schema_name(rel)].iter_errors(json_view(data)))
        rejected += [f"{rel}: {error.message}" for error in errors]
    sealed = sealed_texts(example_study)
    assert len(sealed) >= 8  # check-ins, reflections, incidents, plans, identities
    for rel, text in sealed.items():
        errors = list(validators[schema_name(rel)].iter_errors(json_view(yaml.safe_load(text))))
        rejected += [f"{rel}: {error.message}" for error in errors]
        assert reads(rel, text), rel
    assert rejected == []
    assert doctor.check_study(example_study) == []


def agreement_sweep(cli: Any, study: Study, every: int) -> tuple[int, list[str]]:
    """Mistakes tried on one record of each type, and where doctor and schema disagree.

    Each round puts one mistake in each chosen file and runs ``doctor`` once; with
    ``every`` above 1 only every so many of each file's mistakes are tried.
    """
    validators = published_schemas(cli)
    root = study.root
    # One record of each type: the one with the most written in it.
    chosen: dict[str, str] = {"study": "study.yaml"}
    for rel in shared_files(study)[1:]:
        name = schema_name(rel)
        size = len((root / rel).read_text(encoding="utf-8"))
        if name not in chosen or size > len((root / chosen[name]).read_text(encoding="utf-8")):
            chosen[name] = rel
    originals = {rel: (root / rel).read_text(encoding="utf-8") for rel in chosen.values()}
    planned = {
        rel: mutations(yaml.safe_load(text), validators[schema_name(rel)].schema)[::every]
        for rel, text in originals.items()
    }
    disagreements: list[str] = []
    tried = 0
    for round_number in range(max(len(found) for found in planned.values())):
        expected: dict[str, tuple[str, bool]] = {}
        for rel, found in planned.items():
            if round_number >= len(found):
                (root / rel).write_text(originals[rel], encoding="utf-8")
                continue
            label, data = found[round_number]
            text = dump(data)
            (root / rel).write_text(text, encoding="utf-8")
            valid = validators[schema_name(rel)].is_valid(json_view(yaml.safe_load(text)))
            expected[rel] = (label, valid)
        failing = doctor_errors(Study(root))
        for rel, (label, valid) in expected.items():
            tried += 1
            if valid == (rel in failing):
                disagreements.append(
                    f"{rel}: {label}: schema says {'valid' if valid else 'invalid'}, "
                    f"doctor says {'invalid' if rel in failing else 'valid'}"
                )
    return tried, disagreements


def test_doctor_and_the_schemas_agree_on_mistakes(cli: Any, example_study: Study) -> None:
    tried, disagreements = agreement_sweep(cli, example_study, every=6)
    assert disagreements == [], "\n".join(disagreements)
    assert tried > 120


@pytest.mark.soak
def test_doctor_and_the_schemas_agree_on_every_mistake(cli: Any, example_study: Study) -> None:
    tried, disagreements = agreement_sweep(cli, example_study, every=1)
    assert disagreements == [], "\n".join(disagreements)
    assert tried > 700


def test_the_reading_of_encrypted_records_agrees_with_their_schemas(
    cli: Any, example_study: Study
) -> None:
    validators = published_schemas(cli)
    disagreements: list[str] = []
    tried = 0
    seen: set[str] = set()
    for rel, text in sealed_texts(example_study).items():
        name = schema_name(rel)
        if name in seen:
            continue
        seen.add(name)
        for label, data in mutations(yaml.safe_load(text), validators[name].schema):
            mutated = dump(data)
            valid = validators[name].is_valid(json_view(yaml.safe_load(mutated)))
            tried += 1
            if valid != reads(rel, mutated):
                disagreements.append(f"{rel}: {label}: schema says valid={valid}")
    assert seen == {"checkin", "reflection", "incident", "plan", "identity", "alert", "resolution"}
    assert disagreements == [], "\n".join(disagreements)
    assert tried > 100


@pytest.mark.parametrize(
    ("rel", "field", "value"),
    [
        ("tasks/00/T-0001.yaml", "due", "86400"),
        ("involvement/00/INV-00001.yaml", "hours", '"3"'),
        ("involvement/00/INV-00001.yaml", "expenses", '"12"'),
    ],
)
def test_the_issue_examples_fail_doctor(
    cli: Any, example_study: Study, rel: str, field: str, value: str
) -> None:
    path = example_study.root / rel
    text, count = re.subn(rf"^{field}: .*$", f"{field}: {value}", path.read_text(), flags=re.M)
    assert count == 1
    path.write_text(text, encoding="utf-8")
    validator = published_schemas(cli)[schema_name(rel)]
    assert not validator.is_valid(json_view(yaml.safe_load(text)))
    result = cli("--study", str(example_study.root), "doctor")
    assert result.exit_code == 4, result.output
    assert "All records are valid" not in result.output
    assert result.stdout.startswith(f"{rel}:")


def test_a_task_with_a_number_for_its_due_date_is_not_shown_as_1970(
    cli: Any, example_study: Study
) -> None:
    path = example_study.root / "tasks/00/T-0001.yaml"
    path.write_text(re.sub(r"^due: .*$", "due: 86400", path.read_text(), flags=re.M))
    result = cli("--study", str(example_study.root), "task", "show", "T-0001")
    assert result.exit_code == 4, result.output
    assert "1970" not in result.output
    assert "due: 86400 is not a date" in result.output


def test_quoted_dates_and_whole_numbers_stay_valid(cli: Any, example_study: Study) -> None:
    path = example_study.root / "involvement/00/INV-00001.yaml"
    text = path.read_text()
    day = re.search(r"^date: (.*)$", text, flags=re.M)
    assert day is not None and "hours: 3.0" in text
    text = text.replace(day[0], f'date: "{day[1]}"').replace("hours: 3.0", "hours: 3")
    path.write_text(text)
    assert doctor.check_study(Study(example_study.root)) == []
    entry = Study(example_study.root).load(by_folder()["involvement"], "INV-00001")
    assert entry.date == dt.date.fromisoformat(day[1]) and entry.hours == 3


def test_schema_says_dates_are_iso_text(cli: Any) -> None:
    result = cli("schema", "task")
    assert result.exit_code == 0, result.output
    due = json.loads(result.stdout)["properties"]["due"]
    date = next(option for option in due["anyOf"] if option.get("type") == "string")
    assert date["format"] == "date"
    validator = Draft202012Validator(date)
    assert validator.is_valid("2026-03-01")
    assert not validator.is_valid("86400")
    assert not validator.is_valid(86400)
