"""`flask certificates verify FILE`: checks a file with the public key only, and says why it fails."""
import base64
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jws
from joserfc.jwk import RSAKey

from lms.certificates import credentials
from lms.timeutil import utcnow


@pytest.fixture()
def files(tmp_path, client, auth, lan, issued):
    auth.login(lan)
    paths = {}
    for kind in ("jwt", "json"):
        path = tmp_path / f"credential.{kind}"
        path.write_bytes(client.get(f"/certificates/{issued.id}/credential.{kind}").data)
        paths[kind] = path
    jwks = tmp_path / "jwks.json"
    jwks.write_bytes(client.get("/.well-known/jwks.json").data)
    paths["jwks"] = jwks
    status = tmp_path / "status.jwt"
    status.write_bytes(client.get(f"/credentials/issuers/{issued.ward_id}/status").data)
    paths["status"] = status
    paths["token"] = paths["jwt"].read_text()
    return paths


def run(app, *args):
    return app.test_cli_runner().invoke(args=["certificates", "verify", *map(str, args)])


def output(result) -> str:
    """What the person sees: standard output and error together (click 8.2+ keeps both in .output)."""
    return result.output


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def _other_key_token(payload: dict, kid: str) -> str:
    other = RSAKey.import_key(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    body = json.dumps(payload, ensure_ascii=False).encode()
    return jws.serialize_compact({"alg": "RS256", "kid": kid, "typ": "vc+jwt"}, body, other, algorithms=["RS256"])


def _payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_a_valid_file_passes_with_the_instances_own_key_and_with_a_jwks(app, files):
    for args in ([files["jwt"]], [files["json"]], [files["jwt"], "--jwks", files["jwks"]]):
        result = run(app, *args)
        assert result.exit_code == 0, output(result)
        assert "HỢP LỆ / VALID" in result.output
        assert "Nguyễn Thị Lan" in result.output and "An toàn trên mạng" in result.output


def test_a_valid_file_passes_against_the_published_key_and_status_list_urls(app, files, live, make_ward):
    # The live server shares this test's database: the same certificate, published over HTTP.
    status_url = _payload(files["token"])["credentialStatus"]["statusListCredential"]
    result = run(app, files["jwt"], "--jwks", live("/.well-known/jwks.json"),
                 "--status-list", status_url.replace("http://localhost", live.url))
    assert result.exit_code == 0, output(result)
    assert "not revoked" in output(result)
    other_ward = make_ward("Xã Khác")
    result = run(app, files["jwt"], "--status-list", live(f"/credentials/issuers/{other_ward.id}/status"))
    assert result.exit_code == 1 and "[status_list_invalid]" in output(result)


def test_a_tampered_file_fails_and_says_so(app, files, tmp_path):
    header, payload, signature = files["token"].split(".")
    data = _payload(files["token"])
    data["credentialSubject"]["identifier"][0]["identityHash"] = "Nguyễn Văn Giả"
    body = base64.urlsafe_b64encode(json.dumps(data, ensure_ascii=False).encode()).rstrip(b"=").decode()
    result = run(app, _write(tmp_path, "forged.jwt", f"{header}.{body}.{signature}"))
    assert result.exit_code == 1
    assert "[tampered]" in output(result) and "changed after it was signed" in output(result)

    wrapper = json.loads(files["json"].read_text())
    wrapper["credential"]["credentialSubject"]["achievement"]["name"] = "Khoá khác"
    result = run(app, _write(tmp_path, "forged.json", json.dumps(wrapper, ensure_ascii=False)))
    assert result.exit_code == 1
    assert "[tampered]" in output(result) and "credentialSubject.achievement.name" in output(result)


def test_a_jwt_signed_by_another_key_fails(app, files, tmp_path):
    payload = _payload(files["token"])
    elsewhere = _other_key_token(payload, "https://example.org/keys/1")
    result = run(app, _write(tmp_path, "other.jwt", elsewhere))
    assert result.exit_code == 1 and "[other_key]" in output(result)
    # Another key pretending to be ours by copying our kid: the signature does not open.
    header = json.loads(base64.urlsafe_b64decode(files["token"].split(".")[0] + "=="))
    impostor = _other_key_token(payload, header["kid"])
    result = run(app, _write(tmp_path, "impostor.jwt", impostor))
    assert result.exit_code == 1 and "[bad_signature]" in output(result)


@pytest.mark.parametrize("content, reason", [
    ("", "malformed"),
    ("không phải chứng nhận", "malformed"),
    ("a.b", "malformed"),
    ("{not json", "malformed"),
    ('{"id": "https://example.org/x"}', "not_a_credential"),
    ("eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.", "unsupported_alg"),
    ("eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln", "unsupported_alg"),
])
def test_malformed_files_fail_with_their_reason(app, files, tmp_path, content, reason):
    result = run(app, _write(tmp_path, "bad.jwt", content))
    assert result.exit_code == 1 and f"[{reason}]" in output(result)


def test_a_signed_file_that_is_not_a_certificate_fails(app, files):
    result = run(app, files["status"])
    assert result.exit_code == 1 and "[not_a_credential]" in output(result)


def _signed_with_our_key(app, issued, **changes):
    with app.test_request_context():
        credential = credentials.build_credential(issued)
        credential.update(changes)
        claims = {"iss": credential["issuer"]["id"], "jti": credential["id"],
                  "sub": credential["credentialSubject"]["id"], **credential}
        claims["nbf"] = int(__import__("datetime").datetime.fromisoformat(
            credential["validFrom"].replace("Z", "+00:00")).timestamp())
        return credentials.sign(claims)


def test_a_credential_not_yet_valid_or_expired_fails(app, files, issued, tmp_path):
    future = credentials.iso(utcnow() + timedelta(days=2))
    result = run(app, _write(tmp_path, "future.jwt", _signed_with_our_key(app, issued, validFrom=future)))
    assert result.exit_code == 1 and "[not_yet_valid]" in output(result)
    past = credentials.iso(utcnow() - timedelta(days=1))
    result = run(app, _write(tmp_path, "old.jwt", _signed_with_our_key(app, issued, validUntil=past)))
    assert result.exit_code == 1 and "[expired]" in output(result)


def test_a_revoked_certificate_fails_against_the_status_list(app, files, issued, make_user, db, client, tmp_path):
    from lms.certificates.services import revoke

    assert run(app, files["jwt"], "--status-list", files["status"]).exit_code == 0
    coordinator = make_user(("coordinator",), ward=issued.ward, name="Trần Thị Thu Hà")
    revoke(issued, coordinator, "issued_in_error", "Cấp nhầm người")
    db.session.commit()
    fresh = _write(tmp_path, "status-now.jwt", client.get(f"/credentials/issuers/{issued.ward_id}/status").get_data(
        as_text=True))
    result = run(app, files["jwt"], "--status-list", fresh)
    assert result.exit_code == 1 and "[revoked]" in output(result)


def test_the_jwks_command_prints_only_public_keys(app, files):
    result = app.test_cli_runner().invoke(args=["certificates", "jwks"])
    keys = json.loads(result.output)["keys"]
    assert result.exit_code == 0 and keys and all("d" not in k and k["kty"] == "RSA" for k in keys)
