"""The province's nginx site (deploy/nginx/lms.conf) is one Debian's nginx accepts as it stands,
with only the places marked EDIT filled in: a certificate, the snippets' folder, the log folder."""
from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.deploy.shape import NGINX, ROOT

SITE = ROOT / "deploy" / "nginx" / "lms.conf"


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lopso.tinh.example.vn")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_the_site_passes_nginx_own_check(tmp_path):
    if not Path(NGINX).exists():
        message = f"nginx not found at {NGINX} (apt-get install nginx)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    cert, key = _certificate(tmp_path)
    site = SITE.read_text()
    for placeholder in ("/etc/ssl/lopso/fullchain.pem", "/etc/ssl/lopso/privkey.pem", "include snippets/",
                        "/var/log/nginx/"):
        assert placeholder in site, placeholder
    site = (site.replace("/etc/ssl/lopso/fullchain.pem", str(cert)).replace("/etc/ssl/lopso/privkey.pem", str(key))
            .replace("include snippets/", f"include {ROOT / 'deploy' / 'nginx'}/")
            .replace("/var/log/nginx/", f"{tmp_path}/"))
    (tmp_path / "lms.conf").write_text(site)
    temp = " ".join(f"{kind}_temp_path {tmp_path / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                          "uwsgi", "scgi"))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nevents {{}}\n"
        f"http {{ include /etc/nginx/mime.types; {temp} access_log {tmp_path / 'access.log'}; "
        f"include {tmp_path / 'lms.conf'}; }}\n")
    result = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                             "-e", str(tmp_path / "error.log")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
