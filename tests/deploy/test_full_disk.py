"""A ward's SQLite file that can grow no more ("database or disk is full"): the change is refused
with a page that says so in Vietnamese, nothing of it is written, the earlier data stays intact,
and the same change goes through once there is room again.

A small filesystem needs root, so the disk fills the way SQLite sees it: PRAGMA max_page_count at
the database's present size on every connection the app opens.
"""
from __future__ import annotations

import io
import sqlite3

import pytest
from sqlalchemy import event

from lms import create_app
from lms.accounts.people import create_person
from lms.cohorts.services import create_cohort
from lms.extensions import db
from lms.wards.models import ResidentialGroup, Ward
from tests.conftest import RequestClient, dispose_engines, make_test_config, reset_schema

PIN = "482916"
PEOPLE = 300


@pytest.fixture()
def ward(tmp_path):
    path = tmp_path / "lms.db"
    app = create_app(make_test_config(f"sqlite:///{path}"))
    app.test_client_class = RequestClient
    reset_schema(app)
    with app.app_context():
        place = Ward(name="Phường Đông", kind="phuong", province="Tỉnh Thử")
        place.groups = [ResidentialGroup(name="Tổ dân phố số 1", kind="to_dan_pho")]
        db.session.add(place)
        db.session.flush()
        create_person(full_name="Trần Thị Thu Hà", phone="0912000001", roles=("coordinator",), secret=PIN,
                    ward=place, birth_year=1980)
        cohort = create_cohort(ward_id=place.id, name="Lớp người cao tuổi", audience="elderly")
        db.session.commit()
        app.config["TEST_COHORT_ID"] = cohort.id
    yield app, path
    dispose_engines(app)


def _sheet() -> bytes:
    rows = ["Họ và tên,Số điện thoại,Năm sinh,Tổ dân phố"]
    rows += [f"Người Thử Số {n},0913{n:06d},{1940 + n % 40},Tổ dân phố số 1" for n in range(1, PEOPLE + 1)]
    return "\n".join(rows).encode()


def _fill_the_disk(app, path) -> dict:
    """From now on no connection of the app may grow the file past its present size."""
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.execute("VACUUM")  # no free pages left inside the file either
    raw.close()
    switch = {"full": True}
    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def no_room(dbapi_connection, _record):
            if switch["full"]:
                pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
                dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

        engine.dispose()  # every connection from now on is a new one, limited
    return switch


def _counts(path) -> tuple[int, int, int, str]:
    raw = sqlite3.connect(path)
    try:
        people = raw.execute("SELECT count(*) FROM user_account").fetchone()[0]
        enrolled = raw.execute("SELECT count(*) FROM enrollment").fetchone()[0]
        confirmed = raw.execute("SELECT count(*) FROM staged_import WHERE confirmed_at IS NOT NULL").fetchone()[0]
        integrity = raw.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        raw.close()
    return people, enrolled, confirmed, integrity


def test_a_full_disk_refuses_the_import_with_a_clear_page_and_keeps_everything_else(ward):
    app, path = ward
    client = app.test_client()
    cohort_id = app.config["TEST_COHORT_ID"]
    assert client.post("/login", data={"phone": "0912000001", "secret": PIN}).status_code == 302
    response = client.post(f"/cohorts/{cohort_id}/import", data={"sheet": (io.BytesIO(_sheet()), "lop.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    preview = response.headers["Location"]
    before = _counts(path)
    assert before == (1, 0, 0, "ok")

    switch = _fill_the_disk(app, path)
    response = client.post(preview, data={"consent": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 507
    assert "Máy chủ đã hết chỗ lưu" in page
    assert "Thay đổi của bạn chưa được lưu vì ổ đĩa của máy chủ đã đầy" in page
    # Nobody of the 300 was written, the preview is still unconfirmed, the file is sound.
    assert _counts(path) == before

    # The coordinator and the preview are still there: with room again, the same click works.
    switch["full"] = False
    with app.app_context():
        db.engine.dispose()
    response = client.post(preview, data={"consent": "y"})
    assert response.status_code == 302
    assert "Đã ghi danh 300 người vào lớp." in client.get(preview).get_data(as_text=True)
    assert _counts(path) == (1 + PEOPLE, PEOPLE, 1, "ok")


def test_a_full_disk_refuses_the_upload_and_keeps_no_half_preview(ward):
    app, path = ward
    client = app.test_client()
    assert client.post("/login", data={"phone": "0912000001", "secret": PIN}).status_code == 302
    _fill_the_disk(app, path)
    response = client.post(f"/cohorts/{app.config['TEST_COHORT_ID']}/import",
                           data={"sheet": (io.BytesIO(_sheet()), "lop.csv")}, content_type="multipart/form-data")
    assert response.status_code == 507
    assert "Hãy báo người quản trị máy chủ." in response.get_data(as_text=True)
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("SELECT count(*) FROM staged_import").fetchone()[0] == 0
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        raw.close()
