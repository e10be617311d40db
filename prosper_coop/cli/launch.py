"""Console-script entry point: answers a no-op ``sync`` before loading the full CLI."""

from __future__ import annotations

import sys


def main() -> None:
    """Run prosper-coop (a plain ``sync`` with nothing to do returns at once)."""
    if sys.argv[1:] == ["sync"]:
        from prosper_coop.fastsync import nothing_to_do

        if nothing_to_do():
            sys.exit(0)
    from prosper_coop.cli.app import main as app_main

    app_main()
