"""Word outputs open in LibreOffice: each shipped template, rendered for the PROSPER
example, converts to PDF with the headings and team credits intact."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from prosper_coop.core.study import Study
from prosper_coop.outputs.render import render

TEMPLATES = ("lay-summary", "recommendations", "newsletter", "easy-read", "gripp2")

needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="needs LibreOffice and pdftotext: apt-get install libreoffice-writer-nogui "
    "poppler-utils (.ci/run installs them)",
)


@needs_libreoffice
@pytest.mark.slow
def test_every_word_output_opens_in_libreoffice(example_study: Study, tmp_path: Path) -> None:
    documents = []
    for template in TEMPLATES:
        render(example_study, template, formats=["docx"])
        (docx,) = (example_study.root / "outputs").glob(f"{template}.docx")
        documents.append(docx)
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *map(str, documents),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    for docx in documents:
        pdf = tmp_path / f"{docx.stem}.pdf"
        assert pdf.is_file(), f"LibreOffice did not convert {docx.name}: {result.stdout}"
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "PROSPER" in text, docx.name
        if docx.stem == "lay-summary":
            assert "What was the question?" in text and "What does this mean?" in text
        assert len(text.split()) > 60, docx.name
