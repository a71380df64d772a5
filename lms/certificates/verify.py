"""Offline verification of a downloaded credential: no call to any server, only the public keys.

Each failure names its reason, so a person checking a file learns whether it was changed, signed
by someone else, damaged, not a certificate at all, or used outside its validity dates.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from joserfc.jwk import RSAKey

from lms.certificates import status_list

JWT_CLAIMS = ("iss", "jti", "nbf", "sub", "exp", "iat")
CREDENTIAL_TYPES = {"OpenBadgeCredential", "AchievementCredential"}
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"
ENVELOPE_PREFIX = "data:application/vc+jwt,"

MESSAGES = {
    "malformed": "tệp hỏng hoặc không đúng dạng VC-JWT / the file is damaged or not a VC-JWT",
    "unsupported_alg": "thuật toán ký không được chấp nhận (chỉ RS256) / signature algorithm not accepted (RS256 only)",
    "other_key": "được ký bằng một khoá khác, không có trong bộ khoá công khai / signed by another key, "
                 "not in the public key set",
    "bad_signature": "chữ ký không khớp với khoá được nêu: chữ ký hỏng hoặc do khoá khác tạo ra / "
                     "bad signature: damaged, or made by another key",
    "tampered": "nội dung đã bị sửa sau khi ký / the content was changed after it was signed",
    "not_a_credential": "không phải chứng nhận Open Badges / not an Open Badges credential",
    "claims_mismatch": "các trường JWT không khớp với chứng nhận / JWT claims do not match the credential",
    "not_yet_valid": "chưa đến ngày có hiệu lực / not valid yet",
    "expired": "đã hết hiệu lực / expired",
    "revoked": "đã bị thu hồi theo danh sách trạng thái / revoked according to the status list",
    "status_list_invalid": "danh sách trạng thái không kiểm tra được / the status list could not be verified",
}


class VerificationError(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail

    @property
    def message(self) -> str:
        text = MESSAGES[self.reason]
        return f"{text}: {self.detail}" if self.detail else text


@dataclass
class Verified:
    header: dict
    payload: dict
    credential: dict
    notes: list[str] = field(default_factory=list)


def _b64decode(part: str) -> bytes:
    if not part or any(ch not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for ch in part):
        raise VerificationError("malformed", "base64url")
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as exc:
        raise VerificationError("malformed", "base64url") from exc


def read_document(text: str) -> tuple[str, dict | None]:
    """The compact JWS in a .jwt file or our JSON download, and the JSON's readable copy if any."""
    text = (text or "").strip().lstrip("\ufeff")
    if text.startswith("{"):
        try:
            wrapper = json.loads(text)
        except ValueError as exc:
            raise VerificationError("malformed", "JSON") from exc
        envelope = wrapper.get("id") if isinstance(wrapper, dict) else None
        if not isinstance(envelope, str) or not envelope.startswith(ENVELOPE_PREFIX):
            raise VerificationError("not_a_credential", "no EnvelopedVerifiableCredential with a vc+jwt")
        readable = wrapper.get("credential")
        return envelope[len(ENVELOPE_PREFIX):].strip(), readable if isinstance(readable, dict) else None
    return text, None


def _parse(token: str) -> tuple[dict, bytes, bytes, bytes]:
    parts = token.split(".")
    if len(parts) != 3:
        raise VerificationError("malformed", "a compact JWS has three parts")
    try:
        header = json.loads(_b64decode(parts[0]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise VerificationError("malformed", "header") from exc
    if not isinstance(header, dict):
        raise VerificationError("malformed", "header")
    # An empty signature is left for the algorithm check to refuse ("none" is never accepted).
    signature = _b64decode(parts[2]) if parts[2] else b""
    return header, _b64decode(parts[1]), signature, f"{parts[0]}.{parts[1]}".encode("ascii")


def _thumbprint(jwk: dict) -> str | None:
    try:
        return RSAKey.import_key({"kty": "RSA", "n": jwk["n"], "e": jwk["e"]}).thumbprint()
    except (KeyError, ValueError, TypeError):
        return None


def find_key(header: dict, keys: list[dict]) -> rsa.RSAPublicKey:
    """The trusted RSA key the header names, matched by kid or by the thumbprint at its end."""
    kid = header.get("kid")
    candidates = [k for k in keys if k.get("kty") == "RSA"]
    wanted = None
    if isinstance(kid, str) and kid:
        wanted = next((k for k in candidates if k.get("kid") == kid), None)
        if wanted is None:
            tail = kid.rstrip("/").rsplit("/", 1)[-1].removesuffix(".json").split("#")[-1]
            wanted = next((k for k in candidates if _thumbprint(k) == tail), None)
    elif isinstance(header.get("jwk"), dict):
        # A key carried inside the token proves nothing unless it is one we already trust.
        own = _thumbprint(header["jwk"])
        wanted = next((k for k in candidates if own and _thumbprint(k) == own), None)
    if wanted is None:
        raise VerificationError("other_key", f"kid {kid!r}" if kid else "")
    if "d" in wanted:
        raise VerificationError("malformed", "the key set holds a private key")
    return RSAKey.import_key({"kty": "RSA", "n": wanted["n"], "e": wanted["e"]}).public_key


def check_signature(public_key: rsa.RSAPublicKey, signature: bytes, signing_input: bytes) -> None:
    try:
        public_key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        return
    except InvalidSignature:
        pass
    try:
        # The signature opens with this key, so the key made it: what it signed has been changed.
        public_key.recover_data_from_signature(signature, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        raise VerificationError("bad_signature") from None
    raise VerificationError("tampered", "signature does not cover this header and payload")


def _as_time(value) -> datetime | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)
        except ValueError:
            raise VerificationError("malformed", f"date {value!r}") from None
    return None


def _check_dates(payload: dict, now: datetime) -> None:
    starts = [t for t in (_as_time(payload.get("nbf")), _as_time(payload.get("validFrom"))) if t]
    ends = [t for t in (_as_time(payload.get("exp")), _as_time(payload.get("validUntil"))) if t]
    if any(now < t for t in starts):
        raise VerificationError("not_yet_valid", max(starts).isoformat())
    if any(now >= t for t in ends):
        raise VerificationError("expired", min(ends).isoformat())


def verify_jws(token: str, keys: list[dict], now: datetime | None = None) -> tuple[dict, dict]:
    """Check the signature and validity dates of any VC-JWT of ours; returns (header, payload)."""
    header, payload_bytes, signature, signing_input = _parse(token)
    if header.get("alg") != "RS256":
        raise VerificationError("unsupported_alg", repr(header.get("alg")))
    check_signature(find_key(header, keys), signature, signing_input)
    try:
        payload = json.loads(payload_bytes.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise VerificationError("malformed", "payload") from exc
    if not isinstance(payload, dict):
        raise VerificationError("malformed", "payload")
    _check_dates(payload, now or datetime.now(timezone.utc))
    return header, payload


def _require(credential: dict, path: str):
    value = credential
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
        if value in (None, "", [], {}):
            raise VerificationError("not_a_credential", f"missing {path}")
    return value


def check_credential(payload: dict) -> dict:
    """Is it an OpenBadgeCredential with every field of the spec's minimal example, claims matching?"""
    credential = {k: v for k, v in payload.items() if k not in JWT_CLAIMS}
    contexts = credential.get("@context")
    types = credential.get("type")
    if not isinstance(contexts, list) or not contexts or contexts[0] != VC_CONTEXT:
        raise VerificationError("not_a_credential", "@context")
    if not any(isinstance(c, str) and c.startswith(OB_CONTEXT_PREFIX) for c in contexts):
        raise VerificationError("not_a_credential", "no Open Badges 3.0 context")
    if not isinstance(types, list) or "VerifiableCredential" not in types or not CREDENTIAL_TYPES & set(types):
        raise VerificationError("not_a_credential", f"type {types!r}")
    for path in ("id", "issuer.id", "issuer.name", "validFrom", "name", "credentialSubject.id",
                 "credentialSubject.type", "credentialSubject.achievement.id", "credentialSubject.achievement.type",
                 "credentialSubject.achievement.name", "credentialSubject.achievement.description",
                 "credentialSubject.achievement.criteria.narrative"):
        _require(credential, path)
    issuer = credential["issuer"]
    expected = {
        "iss": issuer.get("id") if isinstance(issuer, dict) else issuer,
        "jti": credential["id"],
        "sub": credential["credentialSubject"]["id"],
    }
    for claim, value in expected.items():
        if payload.get(claim) != value:
            raise VerificationError("claims_mismatch", claim)
    nbf, valid_from = _as_time(payload.get("nbf")), _as_time(credential["validFrom"])
    if nbf is None or valid_from is None or int(nbf.timestamp()) != int(valid_from.timestamp()):
        raise VerificationError("claims_mismatch", "nbf")
    return credential


def _first_difference(signed, shown, path: str = "") -> str | None:
    if isinstance(signed, dict) and isinstance(shown, dict):
        for key in sorted(set(signed) | set(shown)):
            found = _first_difference(signed.get(key), shown.get(key), f"{path}.{key}" if path else key)
            if found:
                return found
        return None
    if isinstance(signed, list) and isinstance(shown, list) and len(signed) == len(shown):
        for i, (a, b) in enumerate(zip(signed, shown)):
            found = _first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if signed == shown else (path or "(root)")


def check_status(credential: dict, status_token: str, keys: list[dict], now: datetime | None = None) -> bool:
    """True when the issuer's signed status list marks this credential revoked."""
    entry = credential.get("credentialStatus")
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        raise VerificationError("status_list_invalid", "the credential has no BitstringStatusListEntry")
    try:
        _, payload = verify_jws(status_token, keys, now)
    except VerificationError as exc:
        raise VerificationError("status_list_invalid", exc.message) from None
    types = payload.get("type") or []
    subject = payload.get("credentialSubject") or {}
    if "BitstringStatusListCredential" not in types or subject.get("type") != "BitstringStatusList":
        raise VerificationError("status_list_invalid", "not a BitstringStatusListCredential")
    # The same list may be reached by another host name (LAN address, proxy); the signature already
    # ties it to our key, so the path says whose list it is.
    if urlsplit(str(payload.get("id"))).path != urlsplit(str(entry.get("statusListCredential"))).path:
        raise VerificationError("status_list_invalid", "a different issuer's list")
    try:
        bits = status_list.decode(subject.get("encodedList", ""))
        return status_list.bit(bits, int(entry["statusListIndex"]))
    except (ValueError, IndexError, KeyError) as exc:
        raise VerificationError("status_list_invalid", "encodedList") from exc


def verify_document(text: str, keys: list[dict], *, status_token: str | None = None,
                    now: datetime | None = None) -> Verified:
    """Verify a .jwt or our JSON download against trusted public keys; raises VerificationError."""
    token, readable = read_document(text)
    header, payload = verify_jws(token, keys, now)
    credential = check_credential(payload)
    if readable is not None:
        changed = _first_difference(credential, readable)
        if changed:
            raise VerificationError("tampered", f"field {changed} differs from the signed credential")
    result = Verified(header=header, payload=payload, credential=credential)
    if status_token is not None:
        if check_status(credential, status_token, keys, now):
            raise VerificationError("revoked")
        result.notes.append("status list checked: not revoked")
    return result
