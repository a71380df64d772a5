"""Printed cards sign a learner in once, by a link that a preview or a scanner cannot spend."""
import re
from datetime import timedelta

import segno
import sqlalchemy as sa

from lms.accounts.cards import issue_cards, token_hash
from lms.accounts.models import SignInToken
from lms.cohorts.services import enrol
from lms.extensions import db
from lms.timeutil import utcnow

CARD = re.compile(r'data-person-id="(\d+)" data-sign-in-url="([^"]+)"')


def print_cards(client, cohort, **data):
    response = client.post(f"/cohorts/{cohort.id}/cards", data=data)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_data(as_text=True)


def card_urls(page) -> dict[int, str]:
    return {int(pid): url for pid, url in CARD.findall(page)}


def test_printing_makes_one_card_per_member_with_a_qr_of_its_link(client, auth, world, make_user):
    second = make_user(ward=world.ward, name="Bùi Văn Đức")
    enrol(world.cohort, second, consent=True)
    db.session.commit()
    auth.login(world.coordinator)
    page = print_cards(client, world.cohort)
    urls = card_urls(page)
    assert set(urls) == {world.learner.id, second.id}
    assert page.index("Bùi Văn Đức") < page.index("Nguyễn Thị Lan")  # Đức before Lan
    assert world.cohort.join_code in page and "0912" in page
    for url in urls.values():
        assert url.startswith("http://localhost/s/")
        qr = segno.make(url, error="m", micro=False).svg_inline(scale=4, border=2, lineclass=None, omitsize=True)
        path = re.search(r'd="([^"]+)"', qr).group(1)
        assert path in page  # the QR printed on the card holds exactly this link
    raw = urls[second.id].rsplit("/", 1)[1]
    stored = db.session.scalar(sa.select(SignInToken).where(SignInToken.user_id == second.id))
    assert stored.token_hash == token_hash(raw) and raw not in stored.token_hash


def test_opening_the_link_asks_first_and_does_not_spend_it(client, auth, world):
    auth.login(world.coordinator)
    url = card_urls(print_cards(client, world.cohort))[world.learner.id]
    auth.logout()
    for _ in range(3):  # a link preview, a QR scanner, then the learner
        page = client.get(url)
        assert page.status_code == 200
        assert "Bạn là Nguyễn Thị Lan?" in page.get_data(as_text=True)
    response = client.post(url, data={"remember": "y"})
    assert response.status_code == 302 and response.headers["Location"] == "/my/cohorts"
    assert "Lớp người cao tuổi" in client.get("/my/cohorts").get_data(as_text=True)
    used = client.get(url)
    assert used.status_code == 410 and "đã được dùng" in used.get_data(as_text=True)
    assert client.post(url).status_code == 410


def test_printing_again_retires_the_older_cards(client, auth, world):
    auth.login(world.coordinator)
    first = card_urls(print_cards(client, world.cohort))[world.learner.id]
    second = card_urls(print_cards(client, world.cohort, user_id=str(world.learner.id)))[world.learner.id]
    auth.logout()
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_expired_revoked_and_unknown_links(client, world):
    (_, raw_expired, token), = issue_cards(world.cohort, [world.learner], world.coordinator)
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = client.get(f"/s/{raw_expired}")
    assert expired.status_code == 410 and "hết hạn" in expired.get_data(as_text=True)
    (_, raw, _token), = issue_cards(world.cohort, [world.learner], world.coordinator)
    db.session.commit()
    assert client.get("/s/not-a-real-token").status_code == 404
    assert client.post("/s/not-a-real-token").status_code == 404
    assert client.get(f"/s/{raw}").status_code == 200


def test_coordinator_revokes_a_cohorts_or_a_persons_cards(client, auth, world):
    (_, raw, _t), = issue_cards(world.cohort, [world.learner], world.coordinator)
    db.session.commit()
    auth.login(world.coordinator)
    page = client.post(f"/cohorts/{world.cohort.id}/cards/revoke", follow_redirects=True).get_data(as_text=True)
    assert "Đã thu hồi 1 thẻ" in page
    assert client.get(f"/s/{raw}").status_code == 410
    (_, raw, _t), = issue_cards(world.cohort, [world.learner], world.coordinator)
    db.session.commit()
    client.post(f"/cohorts/{world.cohort.id}/members/{world.learner.id}/cards/revoke")
    response = client.get(f"/s/{raw}")
    assert response.status_code == 410 and "thu hồi" in response.get_data(as_text=True)


def test_a_card_signs_out_whoever_was_signed_in_on_that_phone(client, auth, world):
    (_, raw, _t), = issue_cards(world.cohort, [world.learner], world.coordinator)
    db.session.commit()
    auth.login(world.instructor)
    page = client.get(f"/s/{raw}").get_data(as_text=True)
    assert "đang đăng nhập với tên Lê Văn Minh" in page
    client.post(f"/s/{raw}")
    assert "Nguyễn Thị Lan" in client.get("/my/data").get_data(as_text=True)


def test_cards_of_an_import_are_printed_for_those_people_only(client, auth, world):
    import io
    from pathlib import Path

    auth.login(world.coordinator)
    data = (Path(__file__).parent / "fixtures" / "utf8_comma.csv").read_bytes()
    response = client.post(f"/cohorts/{world.cohort.id}/import", data={"sheet": (io.BytesIO(data), "a.csv")},
                           content_type="multipart/form-data")
    key = response.headers["Location"].rsplit("/", 1)[1]
    client.post(f"/cohorts/{world.cohort.id}/import/{key}", data={"consent": "y"})
    page = print_cards(client, world.cohort, import_key=key)
    assert len(card_urls(page)) == 3 and world.learner.full_name not in page
    assert client.post(f"/cohorts/{world.cohort.id}/cards", data={"import_key": "nope"}).status_code == 404


def test_a_cohort_without_members_has_no_cards_to_print(client, auth, world):
    auth.login(world.other_coordinator)
    response = client.post(f"/cohorts/{world.other_cohort.id}/cards", follow_redirects=True)
    assert "chưa có học viên nào để in thẻ" in response.get_data(as_text=True)


def test_a_remembered_card_sign_in_still_counts_on_lesson_pages_after_the_session_is_gone(
        client, world, catalogue):
    (_, raw, _t), = issue_cards(world.cohort, [world.learner], world.coordinator)
    db.session.commit()
    client.post(f"/s/{raw}", data={"remember": "y"})
    client.delete_cookie("session")  # the phone dropped the session; "remember me" is left
    assert client.get_cookie("lms_remember") is not None  # its own token, not Flask-Login's fixed one
    assert client.get_cookie("remember_token") is None
    page = client.get("/courses/an-toan-tren-mang/cuoc-goi-gia-danh").get_data(as_text=True)
    assert "Bạn đã đọc hết bài?" in page and "để lưu tiến độ học" not in page
    from lms.courses.models import LessonProgress

    assert db.session.scalar(sa.select(sa.func.count()).select_from(LessonProgress)
                             .where(LessonProgress.user_id == world.learner.id)) == 1
