"""The public /verify page: valid, revoked, withdrawn or not found — and nothing personal but a masked name."""
from datetime import timezone
from zoneinfo import ZoneInfo

import pytest

from lms.certificates.codes import display_code
from lms.certificates.services import revoke, set_name_display, withdraw_all
from lms.extensions import db, limiter


def page(client, url):
    response = client.get(url)
    return response, response.get_data(as_text=True)


def test_a_valid_certificate_shows_valid_and_the_masked_name_only(client, issued):
    response, text = page(client, f"/verify/{display_code(issued.code)}")
    assert response.status_code == 200
    assert "Chứng nhận hợp lệ" in text
    assert "Nguyễn T. L." in text
    assert "Nguyễn Thị Lan" not in text
    assert "1956" not in text  # the birth year stays on the printed certificate
    assert issued.user.phone not in text and "Tổ dân phố" not in text
    assert "An toàn trên mạng" in text and "Phường Mẫu" in text
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_the_learner_may_choose_to_show_the_full_name(client, issued):
    set_name_display(issued.user, True)
    db.session.commit()
    _, text = page(client, f"/verify/{display_code(issued.code)}")
    assert "Nguyễn Thị Lan" in text and "1956" not in text


def test_a_revoked_certificate_shows_the_date_and_only_the_fixed_reason(client, issued, make_user):
    """The private note never reaches the public page: it once carried names and phone numbers."""
    coordinator = make_user(("coordinator",), ward=issued.ward, name="Trần Thị Thu Hà")
    revoke(issued, coordinator, "learner_request", "Nguyễn Thị Lan (0900000101) nhờ thu hồi")
    db.session.commit()
    response, text = page(client, f"/verify/{display_code(issued.code)}")
    assert response.status_code == 200
    assert "Chứng nhận đã bị thu hồi" in text and "Chứng nhận hợp lệ" not in text
    assert "Lý do: Người học yêu cầu" in text
    assert "nhờ thu hồi" not in text and "0900000101" not in text
    # The page shows Vietnam's date (UTC+7): after 17:00 UTC that is already the next day.
    shown = issued.revoked_at.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert shown.strftime("%d/%m/%Y") in text
    assert "Trần Thị Thu Hà" not in text


def test_a_withdrawn_certificate_no_longer_shows_any_name(client, issued):
    withdraw_all(issued.user)
    db.session.commit()
    response, text = page(client, f"/verify/{display_code(issued.code)}")
    assert "Chứng nhận đã được rút lại" in text
    assert "Nguyễn" not in text


@pytest.mark.parametrize("code", ["ZZZZ-ZZZZ-ZZZZ", "not-a-code", "7K3M"])
def test_a_forged_or_unknown_code_is_not_found(client, issued, code):
    response, text = page(client, f"/verify/{code}")
    assert response.status_code == 404
    assert "Không tìm thấy chứng nhận" in text
    assert "Nguyễn" not in text


def test_a_code_typed_loosely_leads_to_the_certificate(client, issued):
    loose = issued.code.lower().replace("0", "o").replace("1", "l")
    response = client.get(f"/verify/{loose}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/verify/{display_code(issued.code)}")
    response = client.get("/verify", query_string={"code": " " + issued.code.lower() + " "})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{display_code(issued.code)}")


def test_the_verify_form_answers_a_mistyped_code_in_words(client):
    response, text = page(client, "/verify")
    assert response.status_code == 200 and 'name="code"' in text
    response, text = page(client, "/verify?code=12345")
    assert response.status_code == 422 and "Mã chưa đúng dạng" in text and 'value="12345"' in text
    response, text = page(client, "/verify?code=")
    assert response.status_code == 422 and "Hãy nhập mã chứng nhận." in text


def test_verification_is_rate_limited_so_codes_cannot_be_enumerated(app, client, issued):
    limiter.reset()
    for _ in range(35):  # typed into the form: the redirect itself is not counted
        assert client.get(f"/verify?code={issued.code}").status_code == 302
    assert client.get(f"/verify/{display_code(issued.code)}").status_code == 200
    limiter.reset()
    statuses = [client.get(f"/verify/ZZZZ-ZZZZ-ZZ{i:02d}").status_code for i in range(30)]
    assert set(statuses) == {404}
    response, text = page(client, f"/verify/{display_code(issued.code)}")
    assert response.status_code == 429
    assert "Thử lại sau ít phút" in text
    response, _ = page(client, "/verify?code=ZZZZZZZZZZZZ")
    assert response.status_code == 429
    limiter.reset()


def _one_wrong(code: str, at: int) -> str:
    """The code with one character misheard: the next symbol of the alphabet in its place."""
    from lms.certificates.codes import ALPHABET

    wrong = ALPHABET[(ALPHABET.index(code[at]) + 1) % len(ALPHABET)]
    return code[:at] + wrong + code[at + 1:]


@pytest.mark.parametrize("at", [0, 5, 11, 12])
def test_a_new_code_with_one_character_wrong_is_called_a_typo_not_unknown(client, issued, at):
    assert len(issued.code) == 13  # new codes carry the check character
    typo = display_code(_one_wrong(issued.code, at))
    response, text = page(client, f"/verify/{typo}")
    assert response.status_code == 404
    assert "Mã có vẻ gõ sai một ký tự — hãy kiểm tra lại" in text
    assert "Không tìm thấy chứng nhận" not in text and "Nguyễn" not in text
    # typed into the form, as read aloud over the phone: the same answer after the redirect
    response = client.get("/verify", query_string={"code": typo.replace("-", " ").lower()})
    assert response.status_code == 302
    response, text = page(client, response.headers["Location"])
    assert response.status_code == 404 and "gõ sai một ký tự" in text


def test_two_neighbours_swapped_are_called_a_typo(client, issued):
    code = issued.code
    at = next(i for i in range(12) if code[i] != code[i + 1])
    swapped = code[:at] + code[at + 1] + code[at] + code[at + 2:]
    response, text = page(client, f"/verify/{display_code(swapped)}")
    assert response.status_code == 404 and "gõ sai một ký tự" in text


def test_a_well_formed_new_code_that_was_never_issued_is_not_found(client, issued):
    from lms.certificates.codes import check_character

    body = "7K3M9QWX2HDP"
    response, text = page(client, f"/verify/{display_code(body + check_character(body))}")
    assert response.status_code == 404
    assert "Không tìm thấy chứng nhận" in text and "gõ sai" not in text


def test_an_old_code_without_a_check_character_still_works(client, issued):
    issued.code = "7K3M9QWX2HDP"  # issued before codes carried a check character
    db.session.commit()
    response, text = page(client, "/verify/7K3M-9QWX-2HDP")
    assert response.status_code == 200 and "Chứng nhận hợp lệ" in text and "Nguyễn T. L." in text
    response = client.get("/verify", query_string={"code": "7k3m 9qwx 2hdp"})
    assert response.headers["Location"].endswith("/verify/7K3M-9QWX-2HDP")
    # an old code has no check character: a typo in it can only be "not found"
    response, text = page(client, "/verify/7K3M-9QWX-2HDQ")
    assert response.status_code == 404 and "Không tìm thấy chứng nhận" in text and "gõ sai" not in text
