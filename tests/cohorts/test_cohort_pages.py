"""Coordinators create cohorts and enrol people one by one; instructors take attendance."""
import datetime
import threading
import unicodedata

import sqlalchemy as sa

from lms.accounts.models import User
from lms.cohorts.models import Attendance, ClassSession, Cohort, Enrollment
from lms.cohorts.schedule import add_session
from lms.cohorts.services import enrol
from lms.extensions import db


def count(model, *where):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_coordinator_creates_a_cohort_with_a_join_code(client, auth, world):
    auth.login(world.coordinator)
    group = world.ward.groups[1]
    response = client.post("/cohorts/new", data={
        "name": "  Lớp   tiểu thương chợ Đông ", "audience": "traders", "group_id": str(group.id),
        "instructors": [str(world.instructor.id)]})
    assert response.status_code == 302
    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == "Lớp tiểu thương chợ Đông"))
    assert (cohort.ward_id, cohort.group_id, cohort.audience) == (world.ward.id, group.id, "traders")
    assert [i.id for i in cohort.instructors] == [world.instructor.id]
    assert len(cohort.join_code) == 8 and not set(cohort.join_code) & set("01OIL")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert cohort.join_code in page and "<svg" in page


def test_a_cohort_needs_a_name_and_keeps_what_was_typed(client, auth, world):
    auth.login(world.coordinator)
    response = client.post("/cohorts/new", data={"name": "", "audience": "elderly"})
    assert response.status_code == 422
    assert "Hãy nhập tên lớp." in response.get_data(as_text=True)
    response = client.post("/cohorts/new", data={"name": "Lớp A", "audience": "aliens"})
    assert response.status_code == 422 and 'value="Lớp A"' in response.get_data(as_text=True)


def test_instructors_and_groups_of_another_ward_cannot_be_chosen(client, auth, world):
    auth.login(world.coordinator)
    response = client.post("/cohorts/new", data={"name": "Lớp A", "audience": "everyone",
                                                  "group_id": str(world.other_ward.groups[0].id)})
    assert response.status_code == 422
    assert count(Cohort, Cohort.name == "Lớp A") == 0


def test_coordinator_edits_a_cohort_and_changes_its_code(client, auth, world):
    auth.login(world.coordinator)
    url = f"/cohorts/{world.cohort.id}"
    response = client.post(url + "/edit", data={"name": "Lớp cao tuổi (buổi sáng)", "audience": "elderly",
                                                "instructors": [str(world.other_instructor.id)]})
    assert response.status_code == 302
    old_code = world.cohort.join_code
    client.post(url + "/code")
    db.session.expire_all()  # the requests ran in their own sessions: read the rows again
    cohort = db.session.get(Cohort, world.cohort.id)
    assert cohort.name == "Lớp cao tuổi (buổi sáng)" and cohort.join_code != old_code
    assert [i.id for i in cohort.instructors] == [world.other_instructor.id]


def test_search_finds_people_typed_without_diacritics_or_by_phone(client, auth, world, make_user):
    make_user(ward=world.ward, name="Đỗ Thị Ánh", phone="0987 654 321")
    make_user(ward=world.other_ward, name="Đỗ Thị Ánh Tây")
    auth.login(world.coordinator)
    url = f"/cohorts/{world.cohort.id}/enrol"
    for query in ["do thi anh", "Đỗ Ánh", unicodedata.normalize("NFD", "Đỗ Thị Ánh"), "0987654321", "654 321"]:
        page = client.get(url, query_string={"q": query}).get_data(as_text=True)
        assert "Đỗ Thị Ánh" in page, query
        assert "Đỗ Thị Ánh Tây" not in page, query
    page = client.get(url, query_string={"q": "Lan"}).get_data(as_text=True)
    assert "Đã ở trong lớp" in page


def test_search_fragment_for_htmx(client, auth, world):
    auth.login(world.coordinator)
    page = client.get(f"/cohorts/{world.cohort.id}/enrol", query_string={"q": "lan"},
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in page and "Nguyễn Thị Lan" in page


def test_enrolling_someone_without_recorded_consent_asks_for_it(client, auth, world, make_user):
    person = make_user(ward=world.ward, name="Vũ Văn Bình")
    auth.login(world.coordinator)
    url = f"/cohorts/{world.cohort.id}/enrol/{person.id}"
    refused = client.post(url, data={"q": "binh"})
    assert refused.status_code == 422
    assert "Cần có sự đồng ý của người học" in refused.get_data(as_text=True)
    assert count(Enrollment, Enrollment.user_id == person.id) == 0
    assert client.post(url, data={"consent": "y"}).status_code == 302
    again = client.post(url, data={"consent": "y"}, follow_redirects=True)
    assert "đã ở trong lớp này rồi" in again.get_data(as_text=True)
    assert count(Enrollment, Enrollment.user_id == person.id) == 1
    assert db.session.get(User, person.id).data_consent_at is not None


def test_a_person_of_another_ward_cannot_be_enrolled(client, auth, world, make_user):
    stranger = make_user(ward=world.other_ward, name="Người phường Tây")
    auth.login(world.coordinator)
    assert client.post(f"/cohorts/{world.cohort.id}/enrol/{stranger.id}", data={"consent": "y"}).status_code == 404


def test_a_new_person_is_created_without_a_pin_and_enrolled(client, auth, world):
    auth.login(world.coordinator)
    response = client.post(f"/cohorts/{world.cohort.id}/enrol", data={
        "new-full_name": "hoàng văn nam", "new-phone": "912 345 777", "new-birth_year": "1950",
        "new-group_id": str(world.ward.groups[1].id), "new-household": "Hộ ông Nam", "new-consent": "y",
        "new-needs_support": "y", "new-support_consent": "y"})
    assert response.status_code == 302
    person = db.session.scalar(sa.select(User).where(User.phone == "+84912345777"))
    assert (person.full_name, person.secret_hash, person.group_id) == ("Hoàng Văn Nam", None, world.ward.groups[1].id)
    assert person.needs_accessibility_support and person.accessibility_consent_at and person.data_consent_at
    assert count(Enrollment, Enrollment.user_id == person.id, Enrollment.source == "manual") == 1


def test_new_person_form_errors_keep_what_was_typed(client, auth, world):
    auth.login(world.coordinator)
    url = f"/cohorts/{world.cohort.id}/enrol"
    response = client.post(url, data={"new-full_name": "Hoàng Văn Nam", "new-phone": "12345",
                                      "new-needs_support": "y", "new-consent": "y"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Số điện thoại chưa đúng" in text and 'value="Hoàng Văn Nam"' in text
    assert "Chỉ ghi nhận nhu cầu hỗ trợ tiếp cận khi người học đồng ý riêng." in text
    no_consent = client.post(url, data={"new-full_name": "Hoàng Văn Nam", "new-phone": "0912345777"})
    assert no_consent.status_code == 422
    taken = client.post(url, data={"new-full_name": "Ai Đó", "new-phone": world.learner.phone, "new-consent": "y"})
    assert taken.status_code == 422 and "Số điện thoại này đã có người dùng." in taken.get_data(as_text=True)
    assert count(User, User.full_name.in_(["Hoàng Văn Nam", "Ai Đó"])) == 0


def test_removing_a_member_keeps_the_person(client, auth, world):
    auth.login(world.coordinator)
    response = client.post(f"/cohorts/{world.cohort.id}/members/{world.learner.id}/remove")
    assert response.status_code == 302
    assert count(Enrollment, Enrollment.cohort_id == world.cohort.id) == 0
    assert db.session.get(User, world.learner.id) is not None
    assert client.get(f"/cohorts/{world.cohort.id}/members/{world.learner.id}").status_code == 404


def test_coordinator_plans_sessions_and_bad_input_is_refused(client, auth, world):
    auth.login(world.coordinator)
    url = f"/cohorts/{world.cohort.id}/sessions"
    bad = client.post(url, data={"day": "31/02/2026", "starts_at": "", "place": "Nhà văn hoá"})
    assert bad.status_code == 422 and 'value="Nhà văn hoá"' in bad.get_data(as_text=True)
    added = client.post(url, data={"day": "2026-12-05", "starts_at": "08:00", "place": "Nhà văn hoá tổ 1"})
    assert added.status_code == 302
    session = db.session.scalar(sa.select(ClassSession))
    assert (session.day.isoformat(), session.starts_at.strftime("%H:%M")) == ("2026-12-05", "08:00")
    edit = client.post(f"{url}/{session.id}/edit",
                       data={"day": "2026-12-06", "starts_at": "14:30", "place": "Hội trường"})
    assert edit.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "06/12/2026" in page and "14:30" in page and "Hội trường" in page
    client.post(f"{url}/{session.id}/delete")
    assert count(ClassSession) == 0


def test_instructor_takes_attendance_twice_without_duplicates(client, auth, world, make_user):
    second = make_user(ward=world.ward, name="Mai Thị Ngọc")
    enrol(world.cohort, second, consent=True)
    session = add_session(world.cohort, day=datetime.date(2026, 12, 5), starts_at=datetime.time(8),
                          place="Nhà văn hoá")
    db.session.commit()
    auth.login(world.instructor)
    url = f"/cohorts/{world.cohort.id}/sessions/{session.id}/attendance"
    page = client.get(url).get_data(as_text=True)
    assert page.index("Nguyễn Thị Lan") < page.index("Mai Thị Ngọc")  # Lan before Ngọc
    for _ in range(2):
        assert client.post(url, data={"present": [str(world.learner.id), str(second.id)]}).status_code == 302
    assert count(Attendance, Attendance.class_session_id == session.id) == 2
    client.post(url, data={"present": [str(second.id), str(world.other_coordinator.id)]})
    assert set(db.session.scalars(sa.select(Attendance.user_id))) == {second.id}
    assert db.session.scalar(sa.select(Attendance.marked_by_id)) == world.instructor.id
    # Instructors see the schedule but do not plan it.
    assert client.post(f"/cohorts/{world.cohort.id}/sessions",
                       data={"day": "2026-12-07", "starts_at": "08:00", "place": "X"}).status_code == 403


def test_two_registers_saved_at_once_never_duplicate(world, app):
    session = add_session(world.cohort, day=datetime.date(2026, 12, 5), starts_at=datetime.time(8), place="Nhà")
    db.session.commit()
    url = f"/cohorts/{world.cohort.id}/sessions/{session.id}/attendance"
    phone, learner_id = world.instructor.phone, str(world.learner.id)
    statuses = []

    def save():
        with app.test_client() as other:
            other.post("/login", data={"phone": phone, "secret": "482916"})
            statuses.append(other.post(url, data={"present": [learner_id]}).status_code)

    threads = [threading.Thread(target=save) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [302, 302, 302]
    assert count(Attendance, Attendance.class_session_id == session.id) == 1


def test_cohorts_list_shows_each_role_its_own(client, auth, world):
    auth.login(world.coordinator)
    page = client.get("/cohorts/").get_data(as_text=True)
    assert "Lớp người cao tuổi" in page and "Lớp phường Tây" not in page
    auth.logout()
    auth.login(world.other_instructor)
    assert "Lớp người cao tuổi" not in client.get("/cohorts/").get_data(as_text=True)
    auth.logout()
    auth.login(world.admin)
    page = client.get("/cohorts/").get_data(as_text=True)
    assert "Lớp người cao tuổi" in page and "Lớp phường Tây" in page


def test_admin_creates_a_cohort_in_a_chosen_ward(client, auth, world):
    auth.login(world.admin)
    missing = client.post("/cohorts/new", data={"name": "Lớp X", "audience": "everyone"})
    assert missing.status_code == 422
    response = client.post("/cohorts/new", data={"name": "Lớp X", "audience": "everyone",
                                                  "ward_id": str(world.other_ward.id)})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Cohort.ward_id).where(Cohort.name == "Lớp X")) == world.other_ward.id
