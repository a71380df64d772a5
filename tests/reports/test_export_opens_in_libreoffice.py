"""The ward report and the province view, as XLSX, open in LibreOffice (converted to PDF headless).
LibreOffice is not part of the test set-up (about 300 MB): without it this test is skipped."""
from __future__ import annotations

import shutil
import subprocess

import pytest

Q = "start=2026-01-01&end=2026-06-30"
LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.skipif(LIBREOFFICE is None, reason="LibreOffice is not installed")
def test_the_xlsx_exports_open_in_libreoffice(client, auth, known_ward, make_user, tmp_path):
    auth.sign_in_directly(known_ward.coordinator)
    (tmp_path / "ward.xlsx").write_bytes(client.get(f"/reports/wards/{known_ward.ward.id}/report.xlsx?{Q}").data)
    auth.sign_in_directly(make_user(("admin",), ward=None))
    (tmp_path / "province.xlsx").write_bytes(client.get(f"/reports/province.xlsx?{Q}").data)
    done = subprocess.run([LIBREOFFICE, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                           str(tmp_path / "ward.xlsx"), str(tmp_path / "province.xlsx")],
                          env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for name in ("ward", "province"):
        pdf = (tmp_path / f"{name}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF") and len(pdf) > 1000
