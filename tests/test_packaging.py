"""The wheel carries protocols/, templates/ and wellbeing/: a non-editable install works
from any folder, and ``python -m prosper_coop`` works too."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_non_editable_install_finds_shipped_defaults(tmp_path: Path) -> None:
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheel_dir),
            str(PROJECT),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = wheel_dir.glob("prosper_coop-*.whl")
    with zipfile.ZipFile(wheel) as built:  # the easy-read pictures and their licence
        icons = {
            n for n in built.namelist() if n.startswith("prosper_coop/_defaults/templates/icons/")
        }
    for name in ("icons.yaml", "LICENSE.md", "team.svg", "team.png"):
        assert f"prosper_coop/_defaults/templates/icons/{name}" in icons, name
    venv = tmp_path / "fresh-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    # The fresh venv gets its dependencies (not prosper_coop) from the test venv:
    # plain .pth lines add folders to sys.path without running the editable hook.
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "deps-from-test-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": ""}
    where = subprocess.run(
        [str(python), "-c", "import prosper_coop; print(prosper_coop.__file__)"],
        cwd=elsewhere,
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    assert where.stdout.strip().startswith(str(venv))

    script = venv / "bin" / "prosper-coop"
    result = subprocess.run(
        [str(script), "init", "s", "--example", "prosper"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    for name in (
        "protocols/README.md",
        "protocols/permissions.yaml",
        "templates/README.md",
        "templates/icons/icons.yaml",
        "templates/icons/LICENSE.md",
        "templates/icons/phone.svg",
        "templates/icons/phone.png",
        "wellbeing/signposting.yaml",
    ):
        assert (elsewhere / "s" / name).is_file(), name
    module = subprocess.run(
        [str(python), "-m", "prosper_coop", "--study", "s", "status", "--json"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=env,
    )
    assert module.returncode == 0, module.stderr
    assert '"short_title": "PROSPER"' in module.stdout
