"""The published Bitstring Status List: signed, at least 16 KB, revoked and withdrawn bits set."""
import base64
import json

import pytest

from lms.certificates import status_list
from lms.certificates.services import revoke, withdraw_all
from lms.certificates.verify import verify_jws
from lms.extensions import db


def _payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_bits_round_trip_and_the_list_is_at_least_16_kb():
    encoded = status_list.encode([0, 7, 131071], status_list.MIN_ENTRIES)
    assert encoded.startswith("u")
    bits = status_list.decode(encoded)
    assert len(bits) == 16 * 1024
    assert [status_list.bit(bits, i) for i in (0, 1, 7, 8, 131071)] == [True, False, True, False, True]
    assert bits[0] == 0b10000001  # index 0 is the left-most bit
    with pytest.raises(IndexError):
        status_list.bit(bits, 131072)


def test_the_list_grows_in_steps_and_index_space_stays_half_empty():
    assert status_list.list_size(None) == 131072
    assert status_list.list_size(131072) == 262144
    assert status_list.capacity_for(0) == 131072
    assert status_list.capacity_for(65536) == 262144


def test_the_published_list_is_a_signed_credential_with_revoked_and_withdrawn_bits(client, issued, make_user,
                                                                                   make_course, finish_course):
    from lms.certificates.services import issue_if_completed

    other_course = make_course(title="Thanh toán số")
    finish_course(issued.user, other_course)
    second = issue_if_completed(issued.user, other_course)
    db.session.commit()
    url = f"/credentials/issuers/{issued.ward_id}/status"
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    keys = client.get("/.well-known/jwks.json").get_json()["keys"]
    _, payload = verify_jws(response.get_data(as_text=True), keys)
    assert payload["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = payload["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    bits = status_list.decode(subject["encodedList"])
    assert len(bits) >= 16 * 1024
    assert not status_list.bit(bits, issued.status_index)

    coordinator = make_user(("coordinator",), ward=issued.ward)
    revoke(issued, coordinator, "issued_in_error")
    db.session.commit()
    bits = status_list.decode(_payload(client.get(url).get_data(as_text=True))["credentialSubject"]["encodedList"])
    assert status_list.bit(bits, issued.status_index) and not status_list.bit(bits, second.status_index)

    withdraw_all(issued.user)
    db.session.commit()
    bits = status_list.decode(_payload(client.get(url).get_data(as_text=True))["credentialSubject"]["encodedList"])
    assert status_list.bit(bits, issued.status_index) and status_list.bit(bits, second.status_index)


def test_each_issuer_publishes_its_own_list_and_an_unknown_one_is_not_found(client, issued, make_ward):
    other = make_ward("Xã Khác")
    token = client.get(f"/credentials/issuers/{other.id}/status").get_data(as_text=True)
    assert _payload(token)["issuer"].endswith(f"/credentials/issuers/{other.id}")
    assert client.get("/credentials/issuers/987654/status").status_code == 404
    assert client.get("/credentials/issuer/status").status_code == 200


def test_issuer_profiles_are_published(client, issued):
    profile = client.get(f"/credentials/issuers/{issued.ward_id}").get_json()
    assert profile["type"] == ["Profile"] and profile["name"] == "Phường Mẫu, Tỉnh Thử"
    assert profile["id"].endswith(f"/credentials/issuers/{issued.ward_id}")
    assert client.get("/credentials/issuer").get_json()["name"] == "Lớp Số"
    assert client.get("/credentials/issuers/987654").status_code == 404
