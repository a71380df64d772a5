"""Open Badges 3.0 credentials, issuer profiles and status lists, signed as VC-JWT (RS256).

The wording inside a credential is fixed Vietnamese, never the reader's language: the same
certificate must give the same signed bytes to everyone who downloads it.
"""
from __future__ import annotations

import json
import unicodedata
import uuid
from datetime import datetime, timedelta, timezone

from joserfc import jws

from lms.certificates import status_list
from lms.certificates.codes import display_code
from lms.certificates.keys import public_jwk, signing_key, thumbprint
from lms.certificates.models import Certificate
from lms.content.competences import LEVEL_TIERS, competence_name
from lms.timeutil import utcnow
from lms.web import public_url

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
JWT_TYPE = "vc+jwt"
MEDIA_TYPE = "application/vc+jwt"
FRAMEWORK = "Khung năng lực số (Thông tư 02/2025/TT-BGDĐT; Quyết định 757/QĐ-BKHCN)"
INSTANCE_ISSUER_NAME = "Lớp Số"
STATUS_LIST_LIFETIME = timedelta(days=1)
_SUBJECT_NAMESPACE = uuid.UUID("6f2b1c9e-4f5e-5d8a-9a0c-3b7e2d1f4a60")
METHOD_EVIDENCE = {
    "online": ("Học trực tuyến",
               "Đã đọc hết các bài học của khoá và đạt bài kiểm tra cuối khoá trên Lớp Số."),
    "in_person": ("Học trực tiếp",
                  "Đã tham gia lớp học trực tiếp và đạt bài đánh giá; giảng viên của lớp đã xác nhận."),
}
ASSESSMENT_NAMES = {"live": "đánh giá trực tiếp", "paper": "bài kiểm tra trên giấy"}


def iso(moment: datetime) -> str:
    """XML Schema dateTime in UTC, to the second, as VC 2.0 asks for."""
    return moment.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def epoch(moment: datetime) -> int:
    return int(moment.replace(tzinfo=timezone.utc).timestamp())


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


# --- addresses ---------------------------------------------------------------------------


def verify_url(certificate: Certificate) -> str:
    return public_url("certificates.verify", code=display_code(certificate.code))


def issuer_url(ward_id: int | None) -> str:
    if ward_id is None:
        return public_url("certificates.instance_issuer")
    return public_url("certificates.ward_issuer", ward_id=ward_id)


def status_list_url(ward_id: int | None) -> str:
    if ward_id is None:
        return public_url("certificates.instance_status_list")
    return public_url("certificates.ward_status_list", ward_id=ward_id)


def key_id() -> str:
    """The `kid` of every JWS we make: a URL that answers with the public JWK (OB 3.0 §8.2)."""
    return public_url("certificates.jwk", key_thumbprint=thumbprint(signing_key()))


# --- documents ---------------------------------------------------------------------------


def issuer_profile(ward) -> dict:
    """The issuer's OB 3.0 Profile: the ward (phường/xã) that runs the classes, or the instance."""
    profile = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer_url(ward.id if ward else None),
        "type": ["Profile"],
        "name": f"{_nfc(ward.name)}, {_nfc(ward.province)}" if ward else INSTANCE_ISSUER_NAME,
        "url": public_url("main.home"),
        "description": "Lớp học kỹ năng số cộng đồng của phong trào “Bình dân học vụ số”.",
    }
    return profile


def _achievement(certificate: Certificate) -> dict:
    course = certificate.course
    title = _nfc(certificate.course_title.get("vi") or "")
    summary = _nfc((course.summary or {}).get("vi") or title)
    tier = LEVEL_TIERS.get(certificate.level, ("", ""))[0]
    return {
        "id": public_url("courses.course", slug=course.slug),
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": title,
        "description": summary,
        "criteria": {
            "narrative": "Hoàn thành khoá học: đọc hết các bài học và đạt bài kiểm tra cuối khoá trên "
                         "Lớp Số, hoặc học trực tiếp và đạt bài đánh giá do giảng viên của lớp xác nhận.",
        },
        "version": str(certificate.course_version),
        "inLanguage": "vi",
        "fieldOfStudy": "Kỹ năng số",
        "tag": ["Bình dân học vụ số", f"Bậc {certificate.level}" + (f" ({tier})" if tier else "")],
        "alignment": [
            {
                "type": ["Alignment"],
                "targetType": "ceasn:Competency",
                "targetCode": code,
                "targetName": competence_name(code, "vi") or code,
                "targetFramework": FRAMEWORK,
                "targetUrl": public_url("courses.course", slug=course.slug),
            }
            for code in certificate.competences
        ],
    }


def build_credential(certificate: Certificate) -> dict:
    """The OpenBadgeCredential (W3C VC 2.0) for one certificate, before it is signed."""
    user = certificate.user
    verify = verify_url(certificate)
    name, narrative = METHOD_EVIDENCE[certificate.method]
    if certificate.method == "in_person" and certificate.assessment_kind:
        narrative += f" Hình thức: {ASSESSMENT_NAMES[certificate.assessment_kind]}."
    index = certificate.status_index
    statuses = status_list_url(certificate.ward_id)
    title = _nfc(certificate.course_title.get("vi") or "")
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": verify,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": issuer_url(certificate.ward_id),
            "type": ["Profile"],
            "name": issuer_profile(certificate.ward)["name"],
        },
        "validFrom": iso(certificate.issued_at),
        "awardedDate": iso(certificate.issued_at),
        "name": f"Chứng nhận: {title}",
        "credentialSubject": {
            # One identifier per certificate: two of a learner's certificates cannot be linked by it.
            "id": f"urn:uuid:{uuid.uuid5(_SUBJECT_NAMESPACE, certificate.code)}",
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                # OB 3.0's recommended practice for a person's name: an extension type ("ext:…").
                "identityType": "ext:name",
                "hashed": False,
                "identityHash": _nfc(user.full_name),
            }],
            "achievement": _achievement(certificate),
        },
        "evidence": [{"type": ["Evidence"], "name": name, "narrative": narrative}],
        "credentialStatus": {
            "id": f"{statuses}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": statuses,
        },
    }


def sign(claims: dict) -> str:
    """Compact JWS (RS256) with the instance key; header: alg, kid (a URL), typ vc+jwt."""
    header = {"alg": "RS256", "kid": key_id(), "typ": JWT_TYPE}
    payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return jws.serialize_compact(header, payload, signing_key(), algorithms=["RS256"])


def credential_jwt(certificate: Certificate) -> str:
    """The signed certificate: the credential's members plus the JWT claims iss, jti, nbf, sub."""
    credential = build_credential(certificate)
    claims = {
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": epoch(certificate.issued_at),
        "sub": credential["credentialSubject"]["id"],
        **credential,
    }
    return sign(claims)


def enveloped(token: str, credential: dict | None = None) -> dict:
    """The JSON download: a VC 2.0 EnvelopedVerifiableCredential, with a readable copy beside it."""
    wrapper = {
        "@context": [VC_CONTEXT],
        "id": f"data:{MEDIA_TYPE},{token}",
        "type": "EnvelopedVerifiableCredential",
    }
    if credential is not None:
        wrapper["credential"] = credential
    return wrapper


def status_list_jwt(ward, set_indexes: list[int], highest_index: int | None) -> str:
    """The issuer's signed BitstringStatusListCredential with the given entries set."""
    ward_id = ward.id if ward else None
    url = status_list_url(ward_id)
    now = utcnow().replace(microsecond=0)
    credential = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_url(ward_id),
        "validFrom": iso(now),
        "validUntil": iso(now + STATUS_LIST_LIFETIME),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": status_list.encode(set_indexes, status_list.list_size(highest_index)),
        },
    }
    claims = {"iss": credential["issuer"], "jti": url, "nbf": epoch(now),
              "exp": epoch(now + STATUS_LIST_LIFETIME), **credential}
    return sign(claims)


def jwks() -> dict:
    """The public keys anyone needs to check our signatures offline."""
    key = signing_key()
    return {"keys": [public_jwk(key, key_id())]}
