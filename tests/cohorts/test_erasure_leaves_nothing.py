"""After erasure the person's name and phone number are nowhere in the database: not in a revoke
note, not in the audit log, not in a household named after them, not in another ward's pending
import. The whole database is searched, every table and every column, on SQLite and PostgreSQL."""
from __future__ import annotations

import io
import json
import re
import unicodedata

import sqlalchemy as sa

from lms.accounts.models import User
from lms.certificates.codes import display_code
from lms.certificates.models import Certificate
from lms.cohorts.models import StagedImport
from lms.cohorts.services import enrol
from lms.extensions import db
from lms.households.models import Household, HouseholdMember
from lms.households.services import create_household, set_household

NAME = "Hoàng Thị Mận"
# Not a number the demo ward or any course text uses (courses draw fake screens with 0900 000 1xx).
PHONE = "0987123456"
# Every way the number was written somewhere below, and the ways people write it.
PHONE_FORMS = ("0987123456", "+84987123456", "84987123456", "987123456", "0987 123 456", "+84 987 123 456",
               "0987.123.456")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("đ", "d")


def _texts(value) -> list[str]:
    """Every piece of text a stored value holds, JSON decoded (SQLite keeps it \\u-escaped)."""
    if value is None:
        return []
    if isinstance(value, bytes | memoryview):
        value = bytes(value).decode("utf-8", "ignore")
    if isinstance(value, dict | list):
        return [json.dumps(value, ensure_ascii=False)]
    if isinstance(value, str):
        texts = [value]
        if value[:1] in "[{\"":
            try:
                texts.append(json.dumps(json.loads(value), ensure_ascii=False))
            except ValueError:
                pass
        return texts
    return [str(value)]


def find_person_anywhere() -> list[tuple[str, str, str]]:
    """(table, column, text) of every stored value that names the person or holds their number."""
    name = _fold(NAME)
    digits = PHONE[1:]  # 900000101: inside every form of the number
    found = []
    with db.engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            result = conn.execute(sa.text(f'SELECT * FROM "{table}"'))
            columns = list(result.keys())
            for row in result:
                for column, value in zip(columns, row):
                    for text in _texts(value):
                        compact = re.sub(r"[\s.\-()+]", "", text)
                        if name in " ".join(_fold(text).split()) or digits in compact:
                            found.append((table, column, text[:200]))
    return found


def test_erasure_leaves_the_name_and_number_nowhere(client, auth, world, catalogue):
    from lms.certificates.services import issue_certificate
    from lms.courses.models import Course

    man = User.query.filter_by(id=world.learner.id).one()  # a session-bound copy to change
    person = db.session.get(User, world.learner.id)
    person.full_name, person.phone = NAME, "+84987123456"
    husband = User(full_name="Đặng Văn Tư", phone="+84912000777", ward_id=world.ward.id, birth_year=1950)
    db.session.add(husband)
    db.session.flush()
    enrol(world.cohort, husband, consent=True)
    # Her own home, named by her given name, and another household that names her in full.
    home = create_household(world.ward.id, "Nhà bà Mận")
    set_household(person, home)
    set_household(husband, home)
    neighbour = create_household(world.ward.id, f"Hộ ông Tư, cạnh nhà {NAME.upper()}")
    course = db.session.scalars(sa.select(Course).order_by(Course.id)).first()
    certificate = issue_certificate(person, course).certificate
    db.session.commit()
    assert man.id == person.id

    # The coordinator revokes it, typing her name and number into the private note.
    auth.login(world.coordinator)
    revoked = client.post(f"/certificates/manage/{certificate.id}/revoke",
                          data={"reason_code": "learner_request", "confirm": "y",
                                "note": f"{NAME} ({PHONE}) nhờ thu hồi, gọi lại số +84 900 000 101"})
    assert revoked.status_code == 302
    # A note on someone else's certificate names her too.
    other = issue_certificate(husband, course).certificate
    db.session.commit()
    assert client.post(f"/certificates/manage/{other.id}/revoke",
                       data={"reason_code": "issued_in_error", "confirm": "y",
                             "note": f"Cấp nhầm: bài này là của bà {NAME}, sđt 0987 123 456"}).status_code == 302
    public = client.get(f"/verify/{display_code(certificate.code)}").get_data(as_text=True)
    assert "Lý do: Người học yêu cầu" in public and PHONE not in public and "nhờ thu hồi" not in public
    auth.logout()

    # Another ward's coordinator has a preview waiting that holds her row (and someone else's).
    auth.login(world.other_coordinator)
    sheet = ("Họ và tên,Số điện thoại,Năm sinh\n"
             f"{NAME},0987.123.456,1956\n"
             "Lý Văn Khác,0912 345 688,1970\n").encode()
    uploaded = client.post(f"/cohorts/{world.other_cohort.id}/import", data={"sheet": (io.BytesIO(sheet), "a.csv")},
                           content_type="multipart/form-data")
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)[:500]
    auth.logout()
    assert find_person_anywhere(), "the search must find her before erasure"

    auth.login(world.coordinator)
    erased = client.post(f"/people/{person.id}/erase", data={"reason": "asked", "confirm": "y"})
    assert erased.status_code == 302

    db.session.expire_all()
    assert find_person_anywhere() == []
    # What stays is what the ward accounts for, with nothing pointing at her.
    certificate = db.session.get(Certificate, certificate.id)
    assert (certificate.status, certificate.revoke_reason_code, certificate.revoke_reason) == (
        "withdrawn", "learner_request", None)
    other = db.session.get(Certificate, other.id)
    assert (other.status, other.revoke_reason) == ("revoked", "Cấp nhầm: bài này là của bà [đã xoá], sđt [đã xoá]")
    assert db.session.get(Household, home.id).name == f"Hộ gia đình #{home.id}"
    assert db.session.get(Household, neighbour.id).name == f"Hộ gia đình #{neighbour.id}"
    assert db.session.scalar(sa.select(HouseholdMember.household_id).where(HouseholdMember.user_id == husband.id)) \
        == home.id
    staged = db.session.scalar(sa.select(StagedImport).where(StagedImport.ward_id == world.other_ward.id))
    assert [row["name"] for row in staged.rows] == ["Lý Văn Khác"]


def test_a_household_that_only_shares_a_given_name_keeps_its_name(client, auth, world):
    person = db.session.get(User, world.learner.id)
    person.full_name = NAME
    other = create_household(world.ward.id, "Nhà bà Mận ở tổ 3")  # another Mận; she does not live there
    db.session.commit()
    auth.login(world.coordinator)
    assert client.post(f"/people/{person.id}/erase", data={"reason": "asked", "confirm": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Household, other.id).name == "Nhà bà Mận ở tổ 3"


def test_expired_previews_are_deleted_not_just_ignored(client, auth, world):
    from datetime import timedelta

    from lms.timeutil import utcnow

    auth.login(world.coordinator)
    sheet = "Họ và tên,Số điện thoại\nVõ Thị Hết Hạn,0912 345 699\n".encode()
    first = client.post(f"/cohorts/{world.cohort.id}/import", data={"sheet": (io.BytesIO(sheet), "a.csv")},
                        content_type="multipart/form-data")
    assert first.status_code == 302
    old = db.session.scalar(sa.select(StagedImport))
    old.expires_at = utcnow() - timedelta(minutes=1)
    old_key = old.key
    db.session.commit()
    # Any later upload, or an erasure, removes it for good.
    second = client.post(f"/cohorts/{world.cohort.id}/import", data={"sheet": (io.BytesIO(sheet), "b.csv")},
                         content_type="multipart/form-data")
    assert second.status_code == 302, second.status_code
    db.session.expire_all()
    assert db.session.scalars(sa.select(StagedImport.key)).all() == [second.headers["Location"].rsplit("/", 1)[1]]
    assert old_key not in second.headers["Location"]
