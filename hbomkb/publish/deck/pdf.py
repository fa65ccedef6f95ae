"""The deck as PDF, through LibreOffice headless when it is installed.

LibreOffice runs with a profile of its own in a temporary folder, so a LibreOffice the user
has open (or another conversion running at the same time) neither blocks nor changes it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from hbomkb.labels import label

# The names LibreOffice's command has on Linux, macOS (Homebrew) and Windows installs.
COMMANDS = ("soffice", "libreoffice")
# How long one conversion may take before it is given up.
TIMEOUT_SECONDS = 300


class PdfUnavailable(Exception):
    """LibreOffice is not installed; the message says how to install it."""


def libreoffice() -> str | None:
    """The LibreOffice command on this machine, or None."""
    return next((found for name in COMMANDS if (found := shutil.which(name))), None)


def convert_pdf(pptx: str | os.PathLike, out: str | os.PathLike | None = None,
                language: object = "nl") -> Path:
    """Convert ``pptx`` to PDF (default: beside it, same name); returns the PDF's path.

    Raises :class:`PdfUnavailable` without LibreOffice and :class:`RuntimeError` when the
    conversion fails (with LibreOffice's own message).
    """
    command = libreoffice()
    if command is None:
        raise PdfUnavailable(label("deck_pdf_missing", language))
    pptx = Path(pptx).resolve()
    target = Path(out) if out else pptx.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="hbomkb-lo-") as tmp:
        profile = Path(tmp, "profile").as_uri()
        done = subprocess.run(
            [command, f"-env:UserInstallation={profile}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", tmp, str(pptx)],
            capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
        made = Path(tmp, pptx.with_suffix(".pdf").name)
        if done.returncode != 0 or not made.is_file():
            raise RuntimeError(f"{pptx}: LibreOffice could not convert it to PDF: "
                               f"{(done.stderr or done.stdout).strip() or done.returncode}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(made), target)
    return target
