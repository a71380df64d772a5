"""The signed Open Badges 3.0 credential: every field of the spec's minimal example, VC-JWT RS256,
and a public key anyone can use to check it with no call to our server."""
import base64
import json
from pathlib import Path

import pytest

from lms.certificates.verify import VerificationError, verify_document

EXAMPLE = json.loads((Path(__file__).parent / "example-basic-openbadgecredential.json").read_text())


def b64json(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@pytest.fixture()
def downloads(client, auth, lan, issued):
    auth.login(lan)
    token = client.get(f"/certificates/{issued.id}/credential.jwt").get_data(as_text=True)
    wrapper = client.get(f"/certificates/{issued.id}/credential.json").get_data(as_text=True)
    keys = client.get("/.well-known/jwks.json").get_json()["keys"]
    return {"jwt": token, "json": wrapper, "keys": keys, "certificate": issued}


def _key_paths(example, ours, path=""):
    """Every key of the example must exist in ours, recursively; lists compare their first item."""
    missing = []
    if isinstance(example, dict):
        if not isinstance(ours, dict):
            return [path or "(root)"]
        for key, value in example.items():
            if key not in ours:
                missing.append(f"{path}.{key}" if path else key)
            else:
                missing += _key_paths(value, ours[key], f"{path}.{key}" if path else key)
    elif isinstance(example, list) and example and isinstance(example[0], dict):
        missing += _key_paths(example[0], ours[0] if isinstance(ours, list) and ours else None, f"{path}[0]")
    return missing


def test_the_credential_has_every_field_of_the_specifications_minimal_example(downloads):
    payload = b64json(downloads["jwt"].split(".")[1])
    assert _key_paths(EXAMPLE, payload) == []
    assert payload["@context"] == EXAMPLE["@context"]
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["issuer"]["type"] == ["Profile"]
    assert payload["credentialSubject"]["type"] == ["AchievementSubject"]
    assert payload["credentialSubject"]["achievement"]["type"] == ["Achievement"]
    assert "issuanceDate" not in payload
    assert payload["validFrom"].endswith("Z") and len(payload["validFrom"]) == 20
    assert payload["credentialSubject"]["achievement"]["name"] == "An toàn trên mạng"
    assert payload["credentialSubject"]["identifier"][0]["identityHash"] == "Nguyễn Thị Lan"
    assert [a["targetCode"] for a in payload["credentialSubject"]["achievement"]["alignment"]] == ["4.2", "4.1"]


def test_the_jwt_is_rs256_with_a_kid_that_dereferences_to_the_public_key(client, downloads):
    header = b64json(downloads["jwt"].split(".")[0])
    assert header["alg"] == "RS256" and header["typ"] == "vc+jwt"
    assert set(header) == {"alg", "kid", "typ"}
    key = client.get(header["kid"].replace("http://localhost", "")).get_json()
    assert key["kty"] == "RSA" and "d" not in key and key["kid"] == header["kid"]
    assert len(base64.urlsafe_b64decode(key["n"] + "==")) * 8 >= 2048
    assert key in downloads["keys"]


def test_the_jwt_claims_match_the_credential(downloads):
    payload = b64json(downloads["jwt"].split(".")[1])
    assert payload["iss"] == payload["issuer"]["id"]
    assert payload["jti"] == payload["id"]
    assert payload["sub"] == payload["credentialSubject"]["id"]
    assert payload["id"].endswith("/verify/" + downloads["certificate"].code[:4] + "-"
                                  + downloads["certificate"].code[4:8] + "-" + downloads["certificate"].code[8:12]
                                  + "-" + downloads["certificate"].code[12:])
    status = payload["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    assert status["statusListIndex"] == str(downloads["certificate"].status_index)
    assert status["id"] == f"{status['statusListCredential']}#{status['statusListIndex']}"


def test_a_valid_download_verifies_offline_as_jwt_and_as_json(downloads):
    for document in (downloads["jwt"], downloads["json"]):
        result = verify_document(document, downloads["keys"])
        assert result.credential["name"] == "Chứng nhận: An toàn trên mạng"


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, path + (i,))
    else:
        yield path


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    return f"{value}x"


def _set(document, path, new):
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new


def test_changing_any_field_of_the_signed_payload_fails_as_tampered(downloads):
    header, payload_part, signature = downloads["jwt"].split(".")
    payload = b64json(payload_part)
    paths = list(_leaves(payload))
    assert len(paths) > 30
    for path in paths:
        forged = json.loads(json.dumps(payload))
        original = forged
        for step in path:
            original = original[step]
        _set(forged, path, _changed(original))
        body = base64.urlsafe_b64encode(json.dumps(forged, ensure_ascii=False).encode()).rstrip(b"=").decode()
        with pytest.raises(VerificationError) as caught:
            verify_document(f"{header}.{body}.{signature}", downloads["keys"])
        assert caught.value.reason == "tampered", path


def test_changing_any_readable_field_of_the_json_download_fails_and_names_the_field(downloads):
    wrapper = json.loads(downloads["json"])
    for path in list(_leaves(wrapper["credential"])):
        forged = json.loads(downloads["json"])
        value = forged["credential"]
        for step in path:
            value = value[step]
        _set(forged["credential"], path, _changed(value))
        with pytest.raises(VerificationError) as caught:
            verify_document(json.dumps(forged, ensure_ascii=False), downloads["keys"])
        assert caught.value.reason == "tampered"
        assert str(path[0]) in caught.value.detail


def test_a_damaged_signature_fails(downloads):
    header, payload, signature = downloads["jwt"].split(".")
    damaged = ("A" if signature[5] != "A" else "B").join([signature[:5], signature[6:]])
    with pytest.raises(VerificationError) as caught:
        verify_document(f"{header}.{payload}.{damaged}", downloads["keys"])
    assert caught.value.reason == "bad_signature"
