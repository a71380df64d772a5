"""`flask --app wsgi certificates verify FILE`: check a downloaded credential with no server call."""
from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path

import click

from lms.certificates import bp
from lms.certificates.keys import SigningKeyError, key_path, load_private_key, public_jwk, signing_key, thumbprint
from lms.certificates.verify import VerificationError, verify_document


def _read(source: str, what: str) -> str:
    """A file's text, or a URL's body when the person asks for one explicitly."""
    if source.startswith(("https://", "http://")):
        try:
            with urllib.request.urlopen(source, timeout=15) as response:  # noqa: S310 (http(s) only)
                return response.read().decode("utf-8")
        except OSError as exc:
            raise click.ClickException(f"không tải được {what} / cannot fetch the {what}: {exc}") from None
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"không đọc được {what} / cannot read the {what}: {exc}") from None


def _own_keys() -> list[dict]:
    """The instance's own public key, from the private key file it signs with."""
    from flask import current_app

    path = key_path(current_app)
    if not path.exists():
        raise click.ClickException(
            "phiên bản này chưa có khoá ký; hãy dùng --jwks / this instance has no signing key yet; pass --jwks")
    try:
        key = load_private_key(path)
    except SigningKeyError as exc:
        raise click.ClickException(str(exc)) from None
    return [public_jwk(key, thumbprint(key))]


def _keys_from(text: str) -> list[dict]:
    try:
        data = json.loads(text)
    except ValueError:
        raise click.ClickException("tệp khoá không phải JSON / the key file is not JSON") from None
    keys = data.get("keys") if isinstance(data, dict) and "keys" in data else [data]
    if not isinstance(keys, list) or not all(isinstance(k, dict) for k in keys):
        raise click.ClickException("tệp khoá không phải JWKS / the key file is not a JWKS")
    return keys


@bp.cli.command("verify")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--jwks", "jwks_source", metavar="FILE_OR_URL",
              help="Bộ khoá công khai (JWKS) để kiểm tra; mặc định là khoá của chính phiên bản này. / "
                   "Public keys (JWKS); default: this instance's own key.")
@click.option("--status-list", "status_source", metavar="FILE_OR_URL",
              help="Danh sách trạng thái đã ký, để biết chứng nhận có bị thu hồi không. / "
                   "The signed status list, to check for revocation.")
def verify_command(file: str, jwks_source: str | None, status_source: str | None) -> None:
    """Kiểm tra một chứng nhận đã tải về (.jwt hoặc .json). / Verify a downloaded credential offline."""
    text = sys.stdin.read() if file == "-" else _read(file, "chứng nhận / credential")
    keys = _keys_from(_read(jwks_source, "JWKS")) if jwks_source else _own_keys()
    status_token = _read(status_source, "status list").strip() if status_source else None
    try:
        result = verify_document(text, keys, status_token=status_token)
    except VerificationError as exc:
        click.echo(f"KHÔNG HỢP LỆ / INVALID [{exc.reason}]: {exc.message}", err=True)
        sys.exit(1)
    credential = result.credential
    subject = credential.get("credentialSubject", {})
    names = [i.get("identityHash") for i in subject.get("identifier", [])
             # "ext:name" now; files issued before say "name"
             if i.get("identityType") in ("ext:name", "name")]
    click.echo("HỢP LỆ / VALID")
    click.echo(f"  người học / learner:   {names[0] if names else '-'}")
    click.echo(f"  khoá học / course:     {subject.get('achievement', {}).get('name', '-')}")
    click.echo(f"  nơi cấp / issuer:      {credential['issuer'].get('name', '-')}")
    click.echo(f"  ngày cấp / valid from: {credential.get('validFrom')}")
    click.echo(f"  kiểm tra / verify at:  {credential.get('id')}")
    for note in result.notes:
        click.echo(f"  {note}")
    if status_token is None:
        click.echo("  chưa kiểm tra thu hồi (thêm --status-list) / revocation not checked (add --status-list)")


@bp.cli.command("jwks")
def jwks_command() -> None:
    """In khoá công khai (JWKS) của phiên bản này. / Print this instance's public keys (JWKS)."""
    from flask import current_app

    key = signing_key(current_app)
    click.echo(json.dumps({"keys": [public_jwk(key, thumbprint(key))]}, indent=2))
