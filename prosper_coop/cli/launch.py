"""Console-script entry point.

Two things are answered before the full command line is loaded, because they
must be quick: a plain ``sync`` with nothing to do, and the merge driver git
runs for each file changed on two machines during ``sync``.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run prosper-coop (a plain ``sync`` with nothing to do returns at once)."""
    if sys.argv[1:2] == ["merge-driver"] and len(sys.argv) == 7:
        from prosper_coop.merging import run_driver

        sys.exit(run_driver(*sys.argv[2:7]))
    if sys.argv[1:] == ["sync"]:
        from prosper_coop.fastsync import nothing_to_do

        if nothing_to_do():
            sys.exit(0)
    from prosper_coop.cli.app import main as app_main

    app_main()
