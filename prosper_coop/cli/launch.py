"""Console-script entry point.

Some things are answered before the full command line is loaded, because they
must be quick: a plain ``sync`` with nothing to do, the merge driver git runs for
each file changed on two machines during ``sync``, and ``status`` and the
everyday ``task`` commands (``list``, ``mine``, ``start``, ``done``, ``reopen``,
``block``), which :mod:`prosper_coop.cli.quick` reads without loading Typer.
"""

from __future__ import annotations

import sys

# A command line with one of these words may be one the quick path answers.
QUICK_WORDS = frozenset({"task", "status"})


def main() -> None:
    """Run prosper-coop (quick answers first, then the full command line)."""
    if sys.argv[1:2] == ["merge-driver"] and len(sys.argv) == 7:
        from prosper_coop.sync.merge import run_driver

        sys.exit(run_driver(*sys.argv[2:7]))
    if sys.argv[1:] == ["sync"]:
        from prosper_coop.sync.quick import nothing_to_do

        if nothing_to_do():
            sys.exit(0)
    if QUICK_WORDS.intersection(sys.argv[1:]):
        from prosper_coop.cli.quick import answer

        code = answer(sys.argv[1:])
        if code is not None:
            sys.exit(code)
    from prosper_coop.cli.app import main as app_main

    app_main()
