"""The instance's signing key: RSA 2048+, read from a file named by the environment or made once.

The private key never lives in code or in the database. A ward install generates it into
instance/ with owner-only permissions; a province sets LMS_SIGNING_KEY to the same PEM file on
every process, so all of them sign with one key.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from joserfc.jwk import KeySet, RSAKey

KEY_FILE = "signing_key.pem"
MIN_BITS = 2048
_lock = threading.Lock()
_cache: dict[str, RSAKey] = {}


class SigningKeyError(RuntimeError):
    """The configured key is missing, unreadable, not RSA, or too short."""


def key_path(app=None) -> Path:
    """Where the private key is: LMS_SIGNING_KEY (config or environment), else instance/signing_key.pem."""
    app = app or current_app
    configured = app.config.get("LMS_SIGNING_KEY") or os.environ.get("LMS_SIGNING_KEY")
    return Path(configured) if configured else Path(app.instance_path) / KEY_FILE


def _generate(path: Path) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when two processes start at once, only one key is ever written; the other reads it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)


def load_private_key(path: Path) -> RSAKey:
    """Read a PEM private key and check it is RSA of at least 2048 bits."""
    try:
        data = path.read_bytes()
        private = serialization.load_pem_private_key(data, password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningKeyError(f"cannot read the signing key {path.name}: {exc}") from exc
    if not isinstance(private, rsa.RSAPrivateKey) or private.key_size < MIN_BITS:
        raise SigningKeyError(f"the signing key {path.name} must be RSA with at least {MIN_BITS} bits")
    return RSAKey.import_key(private)


def signing_key(app=None) -> RSAKey:
    """The private key this instance signs credentials with (made on first use if none is configured)."""
    app = app or current_app
    path = key_path(app)
    cached = _cache.get(str(path))
    if cached is not None:
        return cached
    with _lock:
        configured = app.config.get("LMS_SIGNING_KEY") or os.environ.get("LMS_SIGNING_KEY")
        if not path.exists():
            if configured:
                raise SigningKeyError(f"LMS_SIGNING_KEY names a file that does not exist: {path.name}")
            _generate(path)
        key = load_private_key(path)
        _cache[str(path)] = key
        return key


def thumbprint(key: RSAKey) -> str:
    """RFC 7638 thumbprint of the public key: the last part of every key id we publish."""
    return key.thumbprint()


def public_jwk(key: RSAKey, kid: str) -> dict:
    """The public half only (never "d"), as RFC 7517 JSON, with its key id and use."""
    data = key.as_dict(private=False)
    return {"kty": data["kty"], "n": data["n"], "e": data["e"], "kid": kid, "alg": "RS256", "use": "sig"}


def public_key_set(keys: list[dict]) -> KeySet:
    """A joserfc KeySet from public JWK dicts (as read from a JWKS file or URL)."""
    return KeySet.import_key_set({"keys": keys})
