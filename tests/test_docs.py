"""Docs are tests: help with an example, a current command reference, exit codes, links."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main
from typer.testing import CliRunner

from prosper_coop.cli.app import app
from prosper_coop.cli.reference import WIDTH, reference_markdown
from prosper_coop.core.errors import ExitCode

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference.md"


def _commands() -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []

    def walk(command: object, path: list[str]) -> None:
        children = getattr(command, "commands", None)
        if children is not None:  # a group: its commands are what users run
            for name, child in children.items():
                walk(child, [*path, name])
        else:
            found.append((" ".join(path), command))

    walk(typer.main.get_command(app), [])
    return found


def test_every_command_has_help_with_an_example() -> None:
    missing = [
        name
        for name, command in _commands()
        if "Example: prosper-coop" not in (getattr(command, "help", "") or "")
    ]
    assert missing == []


def test_the_command_reference_is_current() -> None:
    current = REFERENCE.read_text(encoding="utf-8") if REFERENCE.is_file() else ""
    assert current == reference_markdown(), (
        "docs/reference.md is out of date with the commands' --help: run `make docs`"
    )


def test_the_reference_has_every_command() -> None:
    text = reference_markdown()
    missing = [name for name, _ in _commands() if f"\n### prosper-coop {name}\n" not in text]
    missing = [name for name in missing if f"\n#### prosper-coop {name}\n" not in text]
    assert missing == []


def test_the_reference_shows_what_help_prints(monkeypatch) -> None:
    """The reference is the very text a user sees at the same terminal width."""
    monkeypatch.setenv("COLUMNS", str(WIDTH + 2))
    result = CliRunner().invoke(app, ["task", "list", "--help"], prog_name="prosper-coop")
    assert result.exit_code == 0, result.output
    block = reference_markdown().split("\n### prosper-coop task list\n\n```text\n", 1)[1]
    assert block.split("\n```", 1)[0] == result.output.rstrip()


def test_every_exit_code_is_documented() -> None:
    table = README.read_text(encoding="utf-8").split("## Exit codes", 1)[1]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", table, re.MULTILINE)}
    assert documented == {int(code) for code in ExitCode}


# -- links ----------------------------------------------------------------------------
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|!\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def _markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.rglob("*.md"))]


def _anchors(path: Path) -> set[str]:
    """The link targets GitHub makes from a Markdown file's headings."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    anchors = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def _relative_links(path: Path) -> list[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", "", text)  # inline code is not a link
    targets = [a or b for a, b in LINK.findall(text)]
    return [t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:", t, re.IGNORECASE)]


def test_the_docs_exist() -> None:
    for name in (
        "guides/coordinator.md",
        "guides/co-researcher.md",
        "guides/ppi-lead.md",
        "guides/wellbeing-and-safeguarding-leads.md",
        "reference.md",
        "design.md",
        "development.md",
        "domain.md",
    ):
        assert (DOCS / name).is_file(), name


def test_every_relative_link_points_to_a_file_that_exists() -> None:
    broken = []
    for path in _markdown_files():
        for target in _relative_links(path):
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            where = f"{path.relative_to(ROOT)}: {target}"
            if not linked.exists():
                broken.append(f"{where} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                broken.append(f"{where} (no such heading)")
    assert broken == []


def test_the_link_checker_sees_links() -> None:
    links = _relative_links(README)
    assert "docs/guides/co-researcher.md" in links
    assert "docs/reference.md" in links


def test_no_reference_to_documents_outside_the_repository() -> None:
    """Facts the code relies on are cited from docs/, never from notes users cannot see."""
    shipped = [ROOT / name for name in ("prosper_coop", "protocols", "templates", "wellbeing")]
    files = _markdown_files()
    for folder in shipped:
        files += [
            p for p in sorted(folder.rglob("*")) if p.suffix in (".py", ".yaml", ".md", ".j2")
        ]
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for outside in ("DOMAIN.md", "PRODUCT.md", "STYLE.md", "../shared"):
            if outside in text:
                found.append(f"{path.relative_to(ROOT)} mentions {outside}")
    assert found == []


def test_lazy_mounting_tables_match_what_modules_register() -> None:
    from prosper_coop.cli import app as app_module

    for module_name, commands in app_module.TOP_LEVEL.items():
        root = app_module.make_root()
        app_module._module(module_name).register(root)  # type: ignore[attr-defined]
        registered = set(typer.main.get_command(root).commands)  # type: ignore[attr-defined]
        assert registered == set(commands), module_name


def test_the_readme_python_example_runs(sealed_env: Path) -> None:
    import os
    import subprocess
    import sys

    section = README.read_text().split("## Using it from Python", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=sealed_env,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "2026-03-02"
    assert lines[1].startswith("no one is acting in this study"), lines
