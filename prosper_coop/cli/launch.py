"""Console-script entry point.

Two things are answered before the command line is loaded, because they must be
quick: the merge driver git runs for each file changed on two machines during
``sync``, and a plain ``sync`` with nothing to do. Everything else goes to the one
Typer command line (:mod:`prosper_coop.cli.app`), which mounts only the command
group a command line needs.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run prosper-coop (the merge driver and a no-op sync first, then the command line)."""
    if sys.argv[1:2] == ["merge-driver"] and len(sys.argv) == 7:
        from prosper_coop.sync.merge import run_driver

        sys.exit(run_driver(*sys.argv[2:7]))
    if sys.argv[1:] == ["sync"]:
        from prosper_coop.sync.quick import nothing_to_do

        if nothing_to_do():
            sys.exit(0)
    from prosper_coop.cli.app import main as app_main

    app_main()
