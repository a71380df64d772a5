"""Every credential we issue passes 1EdTech's published JSON schema for the AchievementCredential,
so a strict verifier never refuses ours. The schema is kept beside this test (see SCHEMA_SOURCE)."""
import base64
import json
from datetime import date
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator, FormatChecker

from lms.certificates.credentials import build_credential, credential_jwt
from lms.extensions import db

SCHEMA_FILE = Path(__file__).parent / "ob_v3p0_achievementcredential_schema.json"
SCHEMA_SOURCE = Path(__file__).parent / "ob_v3p0_achievementcredential_schema.SOURCE.md"
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
JWT_CLAIMS = ("iss", "jti", "nbf", "sub")


def b64json(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def schema_errors(document: dict) -> list[str]:
    validator = Draft201909Validator(SCHEMA, format_checker=FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path)))]


def test_the_kept_schema_is_1edtechs_achievementcredential_schema_and_says_where_it_came_from():
    Draft201909Validator.check_schema(SCHEMA)
    assert SCHEMA["$id"].startswith("https://purl.imsglobal.org/spec/ob/v3p0/schema/")
    assert SCHEMA["$id"].endswith("ob_v3p0_achievementcredential_schema.json")
    assert "purl.imsglobal.org" in SCHEMA_SOURCE.read_text(encoding="utf-8")


def test_the_schema_would_refuse_a_credential_that_breaks_it():
    """The check is not vacuous: a credential missing its subject's achievement or naming an identity
    type outside the enumeration and its extensions is refused."""
    broken = json.loads((Path(__file__).parent / "example-basic-openbadgecredential.json").read_text())
    broken["credentialSubject"]["identifier"] = [{"type": "IdentityObject", "hashed": False,
                                                 "identityHash": "Nguyễn Thị Lan", "identityType": "hoTen"}]
    assert schema_errors(broken)
    del broken["credentialSubject"]["identifier"]
    assert schema_errors(broken) == []
    del broken["credentialSubject"]["achievement"]
    assert schema_errors(broken)


@pytest.fixture()
def every_kind(app, issued, lan, make_user, make_course, ward_a):
    """An online certificate (ward issuer), one attested in person, and one with no ward (instance issuer)."""
    from lms.certificates.services import issue_certificate

    teacher = make_user(("instructor",), ward=ward_a, name="Trần Văn Bình")
    wardless = make_user(name="Lê Thị Hồng Nhung", birth_year=None)
    with app.test_request_context():
        in_person = issue_certificate(lan, make_course(title="Dùng Zalo an toàn"), method="in_person",
                                      instructor=teacher, attested_by=teacher, assessed_on=date(2026, 11, 30),
                                      assessment_kind="paper").certificate
        online_wardless = issue_certificate(wardless, make_course(title="Gọi video cho con cháu")).certificate
        db.session.commit()
    return [issued, in_person, online_wardless]


def test_every_issued_credential_passes_the_published_schema(app, client, auth, lan, every_kind):
    with app.test_request_context():
        for certificate in every_kind:
            credential = build_credential(certificate)
            assert schema_errors(credential) == [], certificate.method
            payload = b64json(credential_jwt(certificate).split(".")[1])
            assert schema_errors({k: v for k, v in payload.items() if k not in JWT_CLAIMS}) == []
            assert schema_errors(payload) == []  # the JWT claims beside it are allowed too
    # and what the learner actually downloads, through the site
    auth.login(lan)
    for certificate in every_kind[:2]:
        token = client.get(f"/certificates/{certificate.id}/credential.jwt").get_data(as_text=True)
        assert schema_errors(b64json(token.split(".")[1])) == []
        readable = client.get(f"/certificates/{certificate.id}/credential.json").get_json()["credential"]
        assert schema_errors(readable) == []


def test_the_learner_is_named_with_the_recommended_extension_identity_type(app, every_kind):
    """`identityType: "name"` is not how OB 3.0 names a person; its recommended practice is `ext:name`."""
    with app.test_request_context():
        identifiers = [build_credential(c)["credentialSubject"]["identifier"] for c in every_kind]
    assert [i[0]["identityType"] for i in identifiers] == ["ext:name"] * 3
    assert [i[0]["identityHash"] for i in identifiers] == ["Nguyễn Thị Lan", "Nguyễn Thị Lan", "Lê Thị Hồng Nhung"]
    assert all(i[0]["hashed"] is False for i in identifiers)
