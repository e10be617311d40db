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
    """Run prosper-coop; stop quietly (exit 141) if the reader of its output goes away.

    Output left in Python's buffers is written on the way out, so a reader that has
    gone (``prosper-coop status | head -1``) is noticed here too, not only inside a
    command.
    """
    try:
        _run()
        sys.stdout.flush()
    except SystemExit:
        _flush_or_stop()
        raise
    except BrokenPipeError:
        _stop()


def _flush_or_stop() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _stop()


def _stop() -> None:
    from prosper_coop.cli.terminal import stop_quietly

    sys.exit(stop_quietly())


def _run() -> None:
    """The merge driver and a no-op sync first, then the command line."""
    if sys.argv[1:2] == ["merge-driver"] and len(sys.argv) == 7:
        from prosper_coop.sync.merge import run_driver

        sys.exit(run_driver(*sys.argv[2:7]))
    if sys.argv[1:] == ["sync"]:
        from prosper_coop.sync.quick import nothing_to_do

        if nothing_to_do():
            sys.exit(0)
    from prosper_coop.cli.app import main as app_main

    app_main()
