"""The instance key: RSA 2048+, from a path in the environment or made once with owner-only rights."""
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from lms.certificates import keys


def _pem(bits: int) -> bytes:
    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())


@pytest.fixture()
def fresh_cache(monkeypatch):
    monkeypatch.setattr(keys, "_cache", {})


def test_a_missing_key_is_made_once_readable_only_by_its_owner(app, tmp_path, monkeypatch, fresh_cache):
    monkeypatch.delenv("LMS_SIGNING_KEY", raising=False)
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    first = keys.signing_key(app)
    path = tmp_path / keys.KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.as_dict(private=False)["kty"] == "RSA"
    keys._cache.clear()
    assert keys.thumbprint(keys.signing_key(app)) == keys.thumbprint(first)


def test_the_environment_names_the_key_file_for_a_province(app, tmp_path, monkeypatch, fresh_cache):
    path = tmp_path / "province.pem"
    path.write_bytes(_pem(2048))
    monkeypatch.setenv("LMS_SIGNING_KEY", str(path))
    assert keys.key_path(app) == path
    assert keys.signing_key(app).as_dict(private=False)["n"]


def test_a_short_missing_or_broken_key_is_refused(app, tmp_path, monkeypatch, fresh_cache):
    short = tmp_path / "short.pem"
    short.write_bytes(_pem(1024))
    monkeypatch.setenv("LMS_SIGNING_KEY", str(short))
    with pytest.raises(keys.SigningKeyError):
        keys.signing_key(app)
    monkeypatch.setenv("LMS_SIGNING_KEY", str(tmp_path / "missing.pem"))
    with pytest.raises(keys.SigningKeyError):
        keys.signing_key(app)
    broken = tmp_path / "broken.pem"
    broken.write_text("not a key")
    monkeypatch.setenv("LMS_SIGNING_KEY", str(broken))
    with pytest.raises(keys.SigningKeyError):
        keys.signing_key(app)


def test_the_published_keys_never_contain_the_private_part(client):
    document = client.get("/.well-known/jwks.json")
    assert document.headers["Access-Control-Allow-Origin"] == "*"
    for key in document.get_json()["keys"]:
        assert set(key) == {"kty", "n", "e", "kid", "alg", "use"}
    assert client.get("/credentials/keys/not-our-key").status_code == 404
