"""What ``status`` does once its options are read.

Answered from here both by its Typer command (:mod:`prosper_coop.cli.study`) and
by the quick path (:mod:`prosper_coop.cli.quick`), which reads ``status`` and
``status --json`` without loading Typer: the dashboard is the command people run
most.
"""

from __future__ import annotations

from prosper_coop.cli.base import open_study, output


def status(*, as_json: bool) -> None:
    """``status``: the dashboard, from its cache when no study file has changed."""
    from prosper_coop.cli import tables as render
    from prosper_coop.core import clock
    from prosper_coop.status import cache as statuscache

    study = open_study()
    today = clock.today()
    key, newest = statuscache.fingerprint(study.root, today.isoformat())
    data = statuscache.lookup(study.root, key)
    if data is None:
        from prosper_coop.cli.terminal import to_jsonable
        from prosper_coop.status import dashboard

        data = to_jsonable(dashboard.build(study, today))
        statuscache.store(study.root, key, newest, data)
    out = output(as_json)
    if as_json:
        out.json(data)
    else:
        render.dashboard(out, data)
