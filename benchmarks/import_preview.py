"""How long a coordinator waits for the preview of a 5,000-row spreadsheet (budget: under 5 s).

    python -m benchmarks.import_preview [--rows 5000] [--existing 1000]

Builds a throw-away SQLite database with the migrations, a ward with `--existing` people (half of
them already in the cohort), and an XLSX of `--rows` people as a ward office would export it:
numbers that lost their leading zero, decomposed names, a few bad rows. Then it times:
1. reading and checking the file (the service alone);
2. the whole preview as the coordinator meets it: the upload request and the preview page;
3. for information, the confirmation that writes everyone in one transaction.
Not a test: machines here are shared, so the numbers go into the report by hand.
"""
from __future__ import annotations

import argparse
import io
import tempfile
import time
import unicodedata
from pathlib import Path

BUDGET_SECONDS = 5.0
GIVEN = ["An", "Bình", "Cường", "Dũng", "Đức", "Hà", "Hoà", "Lan", "Mai", "Ngọc", "Phúc", "Sơn", "Tâm", "Yến"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]


def make_xlsx(rows: int, existing: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["DANH SÁCH HỌC VIÊN"])
    sheet.append(["STT", "Họ và tên", "Số điện thoại", "Năm sinh", "Tổ dân phố", "Hộ gia đình",
                  "Cần hỗ trợ tiếp cận"])
    for i in range(rows):
        name = f"{FAMILY[i % len(FAMILY)]} Văn {GIVEN[i % len(GIVEN)]}"
        if i % 3 == 0:
            name = unicodedata.normalize("NFD", name)
        phone = 912000000 + (i if i < existing else 500_000 + i)  # the first ones already exist
        if i % 97 == 0:
            phone = "12345"
        sheet.append([i + 1, name, phone, 1940 + i % 60, f"TDP {1 + i % 2}", f"Hộ số {i // 3}",
                      "có" if i % 50 == 0 else ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_app(folder: Path, existing: int):
    from lms import create_app
    from lms.accounts.models import User, UserRole
    from lms.cohorts.models import Enrollment
    from lms.cohorts.services import create_cohort
    from lms.extensions import db
    from lms.wards.models import ResidentialGroup, Ward
    from tests.conftest import make_test_config, reset_schema

    app = create_app(make_test_config(f"sqlite:///{folder / 'bench.db'}"))
    reset_schema(app)
    with app.app_context():
        ward = Ward(name="Phường Đo", kind="phuong", province="Tỉnh Đo")
        ward.groups = [ResidentialGroup(name="Tổ dân phố số 1"), ResidentialGroup(name="Tổ dân phố số 2")]
        db.session.add(ward)
        db.session.flush()
        from lms.accounts.people import create_person

        create_person(full_name="Cán bộ", phone="0900000001", roles=("coordinator",), secret="482916", ward=ward)
        cohort = create_cohort(ward_id=ward.id, name="Lớp đo", audience="everyone")
        people = []
        for i in range(existing):
            person = User(full_name=f"Người {i}", phone=f"+84{912000000 + i}", ward_id=ward.id)
            person.role_rows = [UserRole(role="learner")]
            people.append(person)
        db.session.add_all(people)
        db.session.flush()
        db.session.add_all(Enrollment(cohort_id=cohort.id, user_id=p.id) for p in people[: existing // 2])
        db.session.commit()
        return app, cohort.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--existing", type=int, default=1000)
    args = parser.parse_args()

    from lms.cohorts.importing import stage_import, summarise
    from lms.cohorts.sheets import read_sheet
    from lms.extensions import db

    data = make_xlsx(args.rows, args.existing)
    with tempfile.TemporaryDirectory() as folder:
        app, cohort_id = build_app(Path(folder), args.existing)
        with app.test_request_context():
            from lms.accounts.services import find_by_phone
            from lms.cohorts.models import Cohort

            owner = find_by_phone("0900000001")
            cohort = db.session.get(Cohort, cohort_id)
            start = time.perf_counter()
            staged = stage_import(cohort, owner, "bench.xlsx", read_sheet("bench.xlsx", data))
            db.session.commit()
            service = time.perf_counter() - start
            counts = summarise(staged.rows)
        client = app.test_client()
        client.post("/login", data={"phone": "0900000001", "secret": "482916"})
        start = time.perf_counter()
        upload = client.post(f"/cohorts/{cohort_id}/import", data={"sheet": (io.BytesIO(data), "bench.xlsx")},
                             content_type="multipart/form-data")
        page = client.get(upload.headers["Location"])
        preview = time.perf_counter() - start
        assert page.status_code == 200, page.status_code
        start = time.perf_counter()
        confirmed = client.post(upload.headers["Location"], data={"consent": "y"})
        confirm = time.perf_counter() - start
        assert confirmed.status_code == 302, confirmed.status_code
        with app.app_context():
            db.engine.dispose()

    print(f"rows: {args.rows} ({counts['new']} new, {counts['existing']} to enrol, "
          f"{counts['enrolled']} already enrolled, {counts['error']} with errors); file {len(data) / 1024:.0f} KB")
    print(f"read and check (service):      {service:6.2f} s")
    print(f"preview, upload + page (HTTP): {preview:6.2f} s   budget < {BUDGET_SECONDS:.0f} s "
          f"{'OK' if preview < BUDGET_SECONDS else 'OVER BUDGET'}")
    print(f"confirm, one transaction:      {confirm:6.2f} s")


if __name__ == "__main__":
    main()
