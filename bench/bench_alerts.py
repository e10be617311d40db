"""How long a wellbeing lead waits for the open alerts of a study with many check-ins.

    python bench/bench_alerts.py [--checkins 5000] [--alert-every 20] [--runs 5]

Alerts are encrypted (only the person and the wellbeing leads may learn one
exists), so ``wellbeing alerts --open`` finds them by decrypting every alert file
the lead's key opens, in one pass in one process. This builds the PROSPER example
study (demo keys), adds ``--checkins`` check-ins spread over its co-researchers,
each with its encrypted check-in and alert file exactly as ``checkin`` writes them
(one in ``--alert-every`` raising an alert, a tenth of those resolved), commits
them in one go, then times:

* the listing in this process (``list_alerts``: decrypt, recognise, parse), and
* ``prosper-coop wellbeing alerts --open --json`` and ``status --json`` as whole
  processes, the way a lead waits for them (the status cache is cleared each run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def build(root: Path, checkins: int, alert_every: int) -> int:
    """The example study with ``checkins`` more check-ins (and their alert files); alerts made."""
    from prosper_coop.core.records import get
    from prosper_coop.core.study import Study, to_yaml
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing.alerts import new_resolution_id
    from prosper_coop.wellbeing.checkins import next_number
    from prosper_coop.wellbeing.models import Alert, AlertLevel, AlertResolution, CheckIn
    from prosper_coop.workspace import create_study

    create_study(root, example="prosper", actor="CO-01")
    study = Study(root, actor="WB-01")
    people = sealed.people_of(study)
    rules = sealed.policy(study)
    authors = ("CR-01", "CR-02", "CR-03", "CR-04")
    readers = {p: sealed.readers_for(study, "alert", p, people, rules) for p in authors}
    start = next_number(study)
    at = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    raised = 0
    files: dict[str, bytes] = {}
    for offset in range(checkins):
        number = start + offset
        person = authors[offset % len(authors)]
        when = at + dt.timedelta(hours=offset)
        checkin = CheckIn(
            id=f"CI-{number:04d}", person=person, at=when, distress=offset % 11, note="A day."
        )
        is_alert = offset % alert_every == 0
        alert = Alert(
            id=f"A-{number:04d}",
            person=person,
            checkin=checkin.id,
            raised=when,
            level=AlertLevel.HIGH if is_alert else None,
        )
        for rtype, record in ((get("checkin"), checkin), (get("alert"), alert)):
            rel = sealed.rel_path(rtype, record.id, person)
            files[rel] = sealed.seal(to_yaml(record).encode("utf-8"), readers[person])
        if is_alert:
            raised += 1
            if raised % 10 == 0:
                resolution = AlertResolution(
                    id=new_resolution_id(),
                    alert=alert.id,
                    person=person,
                    checkin=checkin.id,
                    resolved_by="WB-01",
                    resolved_at=when + dt.timedelta(hours=3),
                    note="Called.",
                )
                rel = sealed.rel_path(get("resolution"), resolution.id, None)
                files[rel] = sealed.seal(to_yaml(resolution).encode("utf-8"), readers[person])
    with study.change("bench", f"{checkins} check-ins") as change:
        for rel, data in files.items():
            change.write_bytes(rel, data)
    return raised


def timed(command: list[str], cwd: Path, env: dict[str, str], runs: int) -> float:
    """Median seconds of a whole process (the status cache cleared before each run)."""
    times = []
    for _ in range(runs):
        shutil.rmtree(cwd / ".prosper", ignore_errors=True)
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkins", type=int, default=5000)
    parser.add_argument("--alert-every", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from harness import compile_package, prosper

    compile_package()
    work = Path(tempfile.mkdtemp(prefix="prosper-bench-alerts-"))
    env = {
        **os.environ,
        "HOME": str(work),
        "XDG_CONFIG_HOME": str(work / "config"),
        "PROSPER_COOP_CONFIG_DIR": str(work / "config" / "prosper-coop"),
        "GIT_CONFIG_GLOBAL": str(work / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
        "PROSPER_COOP_AS": "WB-01",
    }
    os.environ.update(env)
    try:
        root = work / "study"
        started = time.perf_counter()
        raised = build(root, args.checkins, args.alert_every)
        print(
            f"{args.checkins} check-ins ({raised} alerts) added in "
            f"{time.perf_counter() - started:.1f} s"
        )

        from prosper_coop.core.study import Study
        from prosper_coop.crypto import keys
        from prosper_coop.crypto.sealed import Keyring
        from prosper_coop.wellbeing.alerts import list_alerts

        in_process = []
        for _ in range(args.runs):
            keys.forget_unlocked()
            study = Study(root, actor="WB-01")
            started = time.perf_counter()
            found = list_alerts(study, Keyring(study), open_only=True, viewer="WB-01")
            in_process.append(time.perf_counter() - started)
        files = len(list(root.glob("alerts/*/A-*.age"))) + len(list(root.glob("resolutions/*")))
        print(
            f"list_alerts (in process): {statistics.median(in_process):.2f} s for {files} "
            f"files, {len(found)} open"
        )
        command = timed(prosper("wellbeing", "alerts", "--open", "--json"), root, env, args.runs)
        print(f"prosper-coop wellbeing alerts --open: {command:.2f} s (whole process, median)")
        status = timed(prosper("status", "--json"), root, env, args.runs)
        print(f"prosper-coop status: {status:.2f} s (whole process, no cache, median)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
