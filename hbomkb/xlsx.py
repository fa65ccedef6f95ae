"""Writing Excel workbooks byte for byte the same on every run.

openpyxl stamps the save time into the document properties and into every zip entry; a demo
study or a template that changes on every run cannot be committed or compared. This module
saves a workbook with a fixed time instead.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from pathlib import Path

FIXED_TIME = (2018, 4, 19, 0, 0, 0)  # the date of the study's first presentation
_STAMP = "2018-04-19T00:00:00Z"


def save_workbook(wb, path: str | os.PathLike) -> Path:
    """Save an openpyxl workbook deterministically (atomic replace of ``path``)."""
    path = Path(path)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                              rb"\g<1>" + _STAMP.encode(), data)
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(out.getvalue())
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path
