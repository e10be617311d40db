"""The command reference, ``docs/reference.md``, generated from every command's ``--help``.

    python -m prosper_coop.cli.reference > docs/reference.md     (or: make docs)

``tests/test_docs.py`` fails when ``docs/reference.md`` differs from what this
module produces, so the reference cannot drift from the commands. Help is laid
out at a fixed width with no colour, whatever terminal runs this, so every
machine produces the same file. No command imports this module.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

PROG = "prosper-coop"
# The width help is laid out at: what an 80-column terminal shows.
WIDTH = 78

PREAMBLE = """\
# Command reference

<!-- Generated from the commands' own help by `make docs`
(python -m prosper_coop.cli.reference > docs/reference.md). Do not edit by hand:
tests/test_docs.py fails when this file is out of date. -->

Every command below prints this same text with `-h` or `--help`. Run a command
inside a study folder, or name the folder with `prosper-coop --study DIR ...`
(or the `PROSPER_COOP_STUDY` setting). List and show commands take `--json` for
scripts. What each exit code means is in the [README](../README.md#exit-codes).
For what the commands are for, and in what order people use them, see the
[guides](README.md).
"""


# Settings read from the environment: (variable, effect).
ENVIRONMENT = (
    ("PROSPER_COOP_STUDY", "The study folder (like `--study`)."),
    ("PROSPER_COOP_AS", "Act as this person for one command (overrides `whoami`)."),
    (
        "PROSPER_COOP_CONFIG_DIR",
        "Where your local settings and private keys live (default: your user config folder).",
    ),
    (
        "PROSPER_COOP_LOCK_TIMEOUT",
        "Seconds to wait for another command to finish changing the study (default 5).",
    ),
    (
        "PROSPER_COOP_TODAY",
        "Pretend today is this date (YYYY-MM-DD): for tests, demos and benchmarks.",
    ),
    (
        "PROSPER_COOP_PASSPHRASE_FILE",
        "A file, readable only by you (`chmod 600`), whose first line is your key's "
        "passphrase: for scripts and anything run without a terminal (otherwise you are "
        "asked). The passphrase itself is never read from the command line or the "
        "environment.",
    ),
    ("PROSPER_COOP_DEBUG", "Show a Python traceback when something goes wrong (for bug reports)."),
    ("NO_COLOR", "No colours in output."),
)


def _environment_table() -> list[str]:
    lines = ["## Settings from the environment", "", "| variable | effect |", "|---|---|"]
    lines += [f"| `{name}` | {effect} |" for name, effect in ENVIRONMENT]
    return [*lines, ""]


def _root_context() -> typer.Context:
    """A help context for the whole command line, at the fixed width."""
    import typer
    import typer.main

    from prosper_coop.cli.app import app

    root = typer.main.get_command(app)
    return typer.Context(
        root,
        info_name=PROG,
        terminal_width=WIDTH,
        max_content_width=WIDTH,
        **root.context_settings,
    )


def _children(ctx: typer.Context) -> Iterator[typer.Context]:
    """The help contexts of a group's visible commands, in the order ``--help`` lists them."""
    import typer
    from typer.core import TyperGroup

    group = ctx.command
    if not isinstance(group, TyperGroup):
        return
    for name in group.list_commands(ctx):
        child = group.get_command(ctx, name)
        if child is None or child.hidden:
            continue
        yield typer.Context(child, info_name=name, parent=ctx, **child.context_settings)


def _is_group(ctx: typer.Context) -> bool:
    from typer.core import TyperGroup

    return isinstance(ctx.command, TyperGroup)


def help_text(ctx: typer.Context) -> str:
    """What ``--help`` prints for the command of ``ctx`` (no trailing newline)."""
    return ctx.command.get_help(ctx).rstrip()


def _anchor(title: str) -> str:
    """The link target GitHub gives a heading (lower case, spaces to hyphens)."""
    kept = "".join(ch for ch in title.lower() if ch.isalnum() or ch in " -_")
    return "#" + kept.replace(" ", "-")


def _entry(ctx: typer.Context, level: int) -> list[str]:
    title = ctx.command_path
    return [f"{'#' * level} {title}", "", "```text", help_text(ctx), "```", ""]


def _group_entries(ctx: typer.Context, level: int) -> list[str]:
    """A group's own help, then each of its commands (sub-groups nested one level down)."""
    lines = _entry(ctx, level)
    for child in _children(ctx):
        if _is_group(child):
            lines += _group_entries(child, level + 1)
        else:
            lines += _entry(child, level + 1)
    return lines


def reference_markdown() -> str:
    """The whole command reference as Markdown: one section per command group."""
    root = _root_context()
    children = list(_children(root))
    commands = [child for child in children if not _is_group(child)]
    groups = [child for child in children if _is_group(child)]
    lines = [PREAMBLE, *_environment_table(), "## Contents", ""]
    lines.append(f"- [{PROG} and its top-level commands]({_anchor(f'{PROG} (top level)')})")
    for group in groups:
        lines.append(f"- [{group.command_path}]({_anchor(group.command_path)})")
    lines += ["", f"## {PROG} (top level)", "", "```text", help_text(root), "```", ""]
    for command in commands:
        lines += _entry(command, 3)
    for group in groups:
        lines += _group_entries(group, 2)
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    """Print the reference (UTF-8, ``\\n`` line ends) to standard output."""
    sys.stdout.buffer.write(reference_markdown().encode("utf-8"))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
