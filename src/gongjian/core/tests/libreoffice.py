"""Files saved by LibreOffice Calc, made at run time from a workbook a test wrote. Tests that need
it skip, saying so, when LibreOffice is not installed (CI installs libreoffice-calc)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice(tmp_path: Path, data: bytes, fmt: str, *, stem: str = "ledger") -> Path:
    """``data`` (an .xlsx) saved by LibreOffice Calc as ``fmt`` (xls, ods, …) under ``tmp_path``."""
    if SOFFICE is None:
        pytest.skip("LibreOffice Calc is not installed (apt-get install libreoffice-calc; CI installs it)")
    source = tmp_path / "source" / f"{stem}.xlsx"
    source.parent.mkdir(exist_ok=True)
    source.write_bytes(data)
    out = tmp_path / "out"
    profile = (tmp_path / "lo-profile").as_uri()  # its own profile: runs side by side do not lock
    command = [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", fmt]
    subprocess.run(  # noqa: S603 - a fixed program on a file the test wrote
        [*command, "--outdir", str(out), str(source)], check=True, capture_output=True, timeout=180
    )
    converted = out / f"{stem}.{fmt}"
    assert converted.exists(), f"LibreOffice wrote no {fmt}"
    return converted
