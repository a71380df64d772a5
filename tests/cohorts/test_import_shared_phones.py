"""Ward lists with people who have no phone, share one, or may already be in the ward."""
import io
import threading

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.cohorts.models import Enrollment
from lms.extensions import db


def upload(client, cohort, text):
    return client.post(f"/cohorts/{cohort.id}/import", data={"sheet": (io.BytesIO(text.encode()), "ds.csv")},
                       content_type="multipart/form-data")


def count(model, *where):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.fixture()
def coordinator(client, auth, world):
    auth.login(world.coordinator)
    return client


def preview_of(client, response):
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    url = response.headers["Location"]
    return url, client.get(url).get_data(as_text=True)


def test_a_couple_sharing_a_number_and_a_woman_with_none_are_enrolled(coordinator, world):
    text = ("Họ và tên,Số điện thoại,Năm sinh\n"
            "Phạm Văn Tư,0987 650 041,1950\nNguyễn Thị Năm,0987650041,1952\nLê Thị Chín,,1946\n")
    url, page = preview_of(coordinator, upload(coordinator, world.cohort, text))
    assert "Thiếu số điện thoại" not in page
    assert "1 dòng cần bạn chọn" in page and "Dùng chung số điện thoại với dòng 2 trong tệp" in page
    assert coordinator.post(url, data={"consent": "y", "choice-3": "new"}).status_code == 302
    assert sorted(u.full_name for u in db.session.scalars(sa.select(User).where(User.phone == "+84987650041"))) \
        == ["Nguyễn Thị Năm", "Phạm Văn Tư"]
    chin = db.session.scalar(sa.select(User).where(User.full_name == "Lê Thị Chín"))
    assert chin.phone is None and chin.birth_year == 1946
    assert count(Enrollment, Enrollment.cohort_id == world.cohort.id) == 4  # the learner and these three


def test_a_shared_row_left_unanswered_is_not_written(coordinator, world):
    text = "Họ và tên,Số điện thoại\nPhạm Văn Tư,0987650041\nNguyễn Thị Năm,0987650041\n"
    url, _ = preview_of(coordinator, upload(coordinator, world.cohort, text))
    coordinator.post(url, data={"consent": "y"})
    assert count(User, User.phone == "+84987650041") == 1


def test_a_fifth_person_on_one_number_is_an_error_row(coordinator, world):
    rows = "".join(f"Người Số {n},0987650051\n" for n in ("Một", "Hai", "Ba", "Bốn", "Năm"))
    url, page = preview_of(coordinator, upload(coordinator, world.cohort, "Họ và tên,Số điện thoại\n" + rows))
    assert "Đã có 4 người dùng chung số điện thoại này" in page
    assert "3 dòng cần bạn chọn" in page
    coordinator.post(url, data={"consent": "y", "choice-3": "new", "choice-4": "new", "choice-5": "new",
                                "choice-6": "new"})
    assert count(User, User.phone == "+84987650051") == 4


def test_the_same_name_year_and_group_asks_same_person_or_another(coordinator, world):
    lan = world.learner  # Nguyễn Thị Lan, 1960, the cohort's group, already in the class
    group = world.ward.groups[0].name
    text = f"Họ và tên,Số điện thoại,Năm sinh,Tổ dân phố\nnguyễn thị lan,,1960,{group}\n"
    url, page = preview_of(coordinator, upload(coordinator, world.cohort, text))
    assert "Phường đã có: Nguyễn Thị Lan" in page
    assert "Cùng một người: ghi danh người đã có" in page and "Người khác: tạo tài khoản mới" in page
    coordinator.post(url, data={"consent": "y", "choice-2": "same"})
    assert count(User, User.name_key == "nguyen thi lan") == 1
    assert count(Enrollment, Enrollment.user_id == lan.id) == 1

    url, _ = preview_of(coordinator, upload(coordinator, world.cohort, text))
    coordinator.post(url, data={"consent": "y", "choice-2": "new"})
    assert count(User, User.name_key == "nguyen thi lan") == 2


def test_same_person_from_the_preview_is_enrolled_in_another_class(coordinator, world):
    from lms.cohorts.services import create_cohort

    cohort = create_cohort(ward_id=world.ward.id, name="Lớp chiều", audience="everyone")
    db.session.commit()
    text = "Họ và tên,Số điện thoại,Năm sinh\nNguyen Thi Lan,,1960\n"
    url, _ = preview_of(coordinator, upload(coordinator, cohort, text))
    assert coordinator.post(url, data={"consent": "y", "choice-2": "same"}).status_code == 302
    assert count(Enrollment, Enrollment.cohort_id == cohort.id, Enrollment.user_id == world.learner.id) == 1
    assert count(User, User.name_key == "nguyen thi lan") == 1


def test_two_imports_racing_create_a_person_without_a_phone_once(app, world):
    text = "Họ và tên,Số điện thoại,Năm sinh\nLê Thị Chín,,1946\n"
    clients = [app.test_client() for _ in range(2)]
    urls = []
    for other in clients:
        assert other.post("/login", data={"phone": world.coordinator.phone, "secret": "482916"}).status_code == 302
        urls.append(upload(other, world.cohort, text).headers["Location"])
    statuses = []
    barrier = threading.Barrier(2)

    def confirm(other, url):
        barrier.wait()
        statuses.append(other.post(url, data={"consent": "y"}).status_code)

    threads = [threading.Thread(target=confirm, args=pair) for pair in zip(clients, urls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [302, 302]
    assert count(User, User.full_name == "Lê Thị Chín") == 1
    assert count(Enrollment, Enrollment.cohort_id == world.cohort.id) == 2
