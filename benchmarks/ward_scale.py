"""A coordinator's pages and exports on a ward of 100,000 people (budget: every page < 300 ms, and
within 1.5× of its time at 10,000 people; an export of 30,000 rows < 1.5 s).

    python -m benchmarks.ward_scale [--people 100000] [--database-url postgresql://…] [--repeat 15]
                                    [--keep FILE] [--reuse FILE] [--only people,roster…]

Builds a ward with the shape measured in issue 18 and scaled to `--people` (at 100,000: 3,338
cohorts, one of 5,000 members, 2,000,000 lesson-progress rows, 30,000 certificates, 315,000
attendance rows) by direct SQL inserts (executemany on SQLite, COPY on PostgreSQL), on a
throw-away SQLite file by default or on the PostgreSQL database given (its `public` schema is
wiped and rebuilt with the migrations). Then, signed in as the ward's coordinator through Flask's
test client, one request at a time, it times each page and export: median and p95 of the wall
clock and of the process's CPU time (on SQLite the database runs in the process, so CPU time is
what a busy machine changes least), and the size of the body as sent (uncompressed). Not a test:
the machines are shared, so the numbers go into the README by hand.

`generate_ward(connection, people=…)` is the generator alone, for other benchmarks (ward reports).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, time as dt_time, timedelta
from pathlib import Path

import sqlalchemy as sa

from lms.content.model import AUDIENCES as AUDIENCE_LABELS

BASE_PEOPLE = 100_000
# The shape at 100,000 people (issue 18); everything scales with the number of people.
SHAPE = {"cohorts": 3_338, "big_cohort": 5_000, "progress": 2_000_000, "certificates": 30_000,
         "attendance": 315_000, "groups": 40, "instructors": 200}
PAGE_BUDGET_MS = 300
EXPORT_BUDGET_MS = 1_500
COORDINATOR_PHONE = "0900000001"
COORDINATOR_PIN = "482916"

FAMILY = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4), ("Phan", 4),
          ("Vũ", 4), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2), ("Dương", 1),
          ("Lý", 1), ("Đinh", 1), ("Lương", 1), ("Trương", 1)]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Thu", "Kim", "Công",
          "Gia", "Hoàng", "Bảo", "Thị Thu", "Văn Hải", "Thị Ngọc"]
GIVEN = ["An", "Anh", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa",
         "Hùng", "Hương", "Huy", "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Ngọc",
         "Nhung", "Phúc", "Phương", "Quân", "Quang", "Sơn", "Tâm", "Thảo", "Thắng", "Thu", "Thủy", "Trang",
         "Trung", "Tuấn", "Tú", "Vân", "Việt", "Yến", "Ánh", "Ơn", "Ưng"]
AUDIENCES = tuple(AUDIENCE_LABELS)  # defined once, in lms.content.model


@dataclass
class Ward:
    """What the generator made: ids and a few names the measurements need."""

    ward_id: int
    coordinator_phone: str
    coordinator_pin: str
    big_cohort_id: int
    group_ids: list[int]
    people: int
    cohorts: int
    counts: dict = field(default_factory=dict)
    sample_names: list[str] = field(default_factory=list)
    courses: dict | None = None


def _scaled(name: str, people: int, minimum: int = 1) -> int:
    return max(minimum, round(SHAPE[name] * people / BASE_PEOPLE))


def _columns(conn, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(conn).get_columns(table)}


class _Writer:
    """Rows into a table as fast as the database takes them: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, conn):
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}

    def write(self, table: str, columns: list[str], rows) -> None:
        rows = list(rows)
        if not rows:
            return
        self.counts[table] = self.counts.get(table, 0) + len(rows)
        if self.pg:
            raw = self.conn.connection.driver_connection
            with raw.cursor() as cursor:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            self.conn.connection.driver_connection.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", (_sqlite_row(r) for r in rows))

    def reset_sequences(self, tables: list[str]) -> None:
        if not self.pg:
            return
        for table in tables:
            self.conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))")


def _sqlite_value(value):
    """Dates and times as SQLAlchemy writes them in SQLite, so the app reads them back the same."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dt_time):
        return value.strftime("%H:%M:%S.%f")
    return value


def _sqlite_row(row):
    return [_sqlite_value(v) for v in row]


def _phone(ward_index: int, n: int) -> str:
    """A learner's phone, unique across the wards of one generated province."""
    return f"+8491{n:07d}" if ward_index == 0 else f"+8492{ward_index:02d}{n:05d}"


def _name(rng: random.Random) -> str:
    family = rng.choices([f for f, _ in FAMILY], weights=[w for _, w in FAMILY])[0]
    return f"{family} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def generate_ward(conn, people: int = BASE_PEOPLE, *, secret_hash: str, seed: int = 18,
                  first_id: int = 1_000_000, index: int = 0, shape: dict | None = None,
                  sessions_per_cohort: int = 4, courses: dict | None = None) -> Ward:
    """Fill an empty, migrated database (one SQLAlchemy connection, in a transaction) with a ward.

    `secret_hash` is the coordinator's hashed PIN (the app's `hash_secret`), so the caller decides
    the hashing cost. Row ids start at `first_id` so they never meet ids the app makes itself.
    Works on a schema with or without the name keys (for measuring older versions).

    Several wards go into one database by calling it again with another `index` and `first_id`
    (phones, codes and names are numbered per ward) and the `courses` the first call returned in
    `Ward.courses`, so that all wards learn the same five courses (`generate_province`).
    """
    rng = random.Random(seed + index)
    out = _Writer(conn)
    sizes = {**SHAPE, **(shape or {})}

    def _scaled(name: str, people: int, minimum: int = 1) -> int:
        return max(minimum, round(sizes[name] * people / BASE_PEOPLE))

    if index:
        assert 0 < index < 100 and people <= 100_000, "phones are numbered +8492WWNNNNN: 99 wards of 100,000"
    coordinator_phone = COORDINATOR_PHONE if index == 0 else f"09{index + 1:08d}"
    now = datetime(2026, 12, 1, 8, 0, 0)
    user_columns = _columns(conn, "user_account")
    keyed = "name_key" in user_columns
    words_table = sa.inspect(conn).has_table("person_name_word")

    ward_id = first_id
    out.write("ward", ["id", "name", "kind", "province", "created_at"],
              [(ward_id, "Phường Đo Tải" if index == 0 else f"Phường Đo Tải {index + 1}", "phuong", "Tỉnh Đo Tải",
                now)])
    group_ids = [first_id + i for i in range(_scaled("groups", people, 4))]
    out.write("residential_group", ["id", "ward_id", "name", "kind", "created_at"],
              [(gid, ward_id, f"Tổ dân phố số {i + 1}", "to_dan_pho", now) for i, gid in enumerate(group_ids)])

    # People: the coordinator first, then instructors, then learners.
    instructors = _scaled("instructors", people, 2)
    user_ids = [first_id + i for i in range(people)]
    names, rows, role_rows = [], [], []
    base_columns = ["id", "phone", "full_name", "birth_year", "secret_kind", "secret_hash", "ward_id", "group_id",
                    "failed_logins", "is_active_account", "text_size", "high_contrast", "needs_accessibility_support",
                    "data_consent_at", "erased_at", "show_full_name", "created_at", "session_version"]
    base_columns = [c for c in base_columns if c in user_columns]
    if keyed:
        from lms.accounts.names import name_keys
        base_columns += ["name_key", "sort_key"]
    for n, uid in enumerate(user_ids):
        name = "Trần Thị Thu Hà" if n == 0 else _name(rng)
        names.append(name)
        erased = n > instructors and n % 997 == 0
        values = {
            "id": uid, "phone": _phone(index, n) if n else "+84" + coordinator_phone[1:],
            "full_name": name, "birth_year": 1940 + rng.randrange(70), "secret_kind": "pin",
            "secret_hash": secret_hash if n == 0 else None, "ward_id": ward_id,
            "group_id": group_ids[n % len(group_ids)], "failed_logins": 0,
            "is_active_account": n % 503 != 0 or n == 0, "text_size": 0, "high_contrast": False,
            "needs_accessibility_support": n % 41 == 0, "data_consent_at": now, "erased_at": now if erased else None,
            "show_full_name": False, "created_at": now - timedelta(minutes=n), "session_version": 1,
        }
        if erased:
            values.update(full_name="Người đã xoá", phone=None, birth_year=None)
            names[-1] = "Người đã xoá"
        row = [values[c] for c in base_columns if c not in ("name_key", "sort_key")]
        if keyed:
            row += list(name_keys(values["full_name"]))
        rows.append(row)
        role = "coordinator" if n == 0 else "instructor" if n <= instructors else "learner"
        role_rows.append((uid, role, now))
    out.write("user_account", base_columns, rows)
    out.write("user_role", ["user_id", "role", "granted_at"], role_rows)
    if words_table:
        from lms.accounts.names import word_rows
        out.write("person_name_word", ["user_id", "ward_id", "word"],
                  [w for uid, r in zip(user_ids, rows) for w in word_rows(
                      uid, ward_id, r[base_columns.index("full_name")], r[base_columns.index("phone")],
                      r[base_columns.index("erased_at")] is not None)])
    learners = user_ids[instructors + 1:]

    # Courses: five, each of ten lessons and a final quiz (two courses a cohort: twenty lessons a
    # learner, so the ward's lesson progress reaches the two million rows).
    if courses is None:
        courses = _write_courses(out, first_id, now)
    course_ids, lessons_of, final_of = courses["ids"], courses["lessons"], courses["finals"]

    # Cohorts: one big one, the rest of thirty-odd members; every learner in one cohort at most.
    cohorts = _scaled("cohorts", people, 2)
    big = min(_scaled("big_cohort", people), len(learners))
    cohort_ids = [first_id + i for i in range(cohorts)]
    cohort_rows, cohort_course_rows, teacher_rows = [], [], []
    keyed_cohort = "name_key" in _columns(conn, "cohort")
    for i, cid in enumerate(cohort_ids):
        name = "Lớp đông nhất phường" if i == 0 else f"Lớp {AUDIENCES[i % 7]} số {i}"
        row = [cid, ward_id, group_ids[i % len(group_ids)] if i % 3 else None, name, AUDIENCES[i % 7],
               f"B{i:07d}" if index == 0 else f"B{index:02d}{i:06d}", now - timedelta(hours=i)]
        if keyed_cohort:
            from lms.accounts.text import fold
            row.append(fold(name))
        cohort_rows.append(row)
        cohort_course_rows += [(cid, course) for course in (course_ids[i % 5], course_ids[(i + 2) % 5])]
        teacher_rows.append((cid, user_ids[1 + i % instructors]))
    out.write("cohort", ["id", "ward_id", "group_id", "name", "audience", "join_code", "created_at"]
              + (["name_key"] if keyed_cohort else []), cohort_rows)
    out.write("cohort_course", ["cohort_id", "course_id"], cohort_course_rows)
    out.write("cohort_instructor", ["cohort_id", "user_id"], teacher_rows)
    member_of: dict[int, int] = {}
    enrol_rows = []
    shuffled = learners[:]
    rng.shuffle(shuffled)
    for uid in shuffled[:big]:
        member_of[uid] = cohort_ids[0]
    rest = shuffled[big:]
    for i, uid in enumerate(rest):
        member_of[uid] = cohort_ids[1 + i % (cohorts - 1)]
    member_keyed = "member_key" in _columns(conn, "enrollment")
    if member_keyed:
        from lms.cohorts.member_order import member_key
        sort_index, erased_index = base_columns.index("sort_key"), base_columns.index("erased_at")
        key_of = {uid: member_key(r[sort_index], r[erased_index] is not None) for uid, r in zip(user_ids, rows)}
    for n, (uid, cid) in enumerate(member_of.items()):
        enrol_rows.append((first_id + n, cid, uid, now - timedelta(days=30), "import")
                          + ((key_of[uid],) if member_keyed else ()))
    out.write("enrollment", ["id", "cohort_id", "user_id", "enrolled_at", "source"]
              + (["member_key"] if member_keyed else []), enrol_rows)

    # Lesson progress: spread so the ward has the total; certificates for passed finals.
    progress_total = _scaled("progress", people)
    per_person = max(1, progress_total // len(learners))
    progress_rows, pid = [], first_id
    course_of_cohort = {cid: [course_ids[i % 5], course_ids[(i + 2) % 5]] for i, cid in enumerate(cohort_ids)}
    for uid in learners:
        lessons = [lid for course in course_of_cohort[member_of[uid]] for lid in lessons_of[course]]
        for lid in lessons[:per_person]:
            done = rng.random() < 0.8
            progress_rows.append((pid, uid, lid, now - timedelta(days=20), now - timedelta(days=19) if done else None))
            pid += 1
        if len(progress_rows) >= 200_000:
            out.write("lesson_progress", ["id", "user_id", "lesson_id", "started_at", "completed_at"], progress_rows)
            progress_rows = []
    out.write("lesson_progress", ["id", "user_id", "lesson_id", "started_at", "completed_at"], progress_rows)

    # More certificates than learners (a province's 150,000 over 100,000): the rest get the
    # cohort's second course too.
    wanted = min(_scaled("certificates", people), 2 * len(learners))
    certified = rng.sample(learners, min(wanted, len(learners)))
    certified += certified[:wanted - len(certified)]
    attempt_rows, cert_rows = [], []
    year_start = datetime(2026, 1, 1)
    for n, uid in enumerate(certified):
        course = course_of_cohort[member_of[uid]][n // len(learners) if n >= len(learners) else 0]
        attempt_rows.append((first_id + n, uid, final_of[course], 1, "[]", "{}", now, now, 10, 10, True))
        issued = year_start + timedelta(minutes=rng.randrange(330 * 24 * 60))
        code = f"C{n:011d}" if index == 0 else f"C{index:03d}{n:08d}"
        cert_rows.append((first_id + n, code, uid, course, 1, json.dumps({"vi": f"Khoá học số {course_ids.index(course) + 1}"}),
                          json.dumps(["1.1", "3.2"]), 1, issued, ward_id, "online", "valid", first_id + n))
    out.write("quiz_attempt", ["id", "user_id", "quiz_id", "number", "question_order", "choice_order", "started_at",
                               "submitted_at", "correct_count", "question_count", "passed"], attempt_rows)
    out.write("certificate", ["id", "code", "user_id", "course_id", "course_version", "course_title", "competences",
                              "level", "issued_at", "ward_id", "method", "status", "status_index"], cert_rows)

    # Sessions (four per cohort) and attendance.
    session_rows, sessions_of = [], {}
    for i, cid in enumerate(cohort_ids):
        sessions_of[cid] = []
        for s in range(sessions_per_cohort):
            sid = first_id + i * sessions_per_cohort + s
            sessions_of[cid].append(sid)
            session_rows.append((sid, cid, date(2026, 11, 2) + timedelta(days=7 * s), datetime(2026, 1, 1, 8).time(),
                                 "Nhà văn hoá", now))
    out.write("class_session", ["id", "cohort_id", "day", "starts_at", "place", "created_at"], session_rows)
    attendance_total = _scaled("attendance", people)
    members = list(member_of.items())
    attendance_rows, aid, seen = [], first_id, set()
    while len(attendance_rows) < attendance_total and len(seen) < len(members) * sessions_per_cohort:
        uid, cid = members[rng.randrange(len(members))]
        sid = sessions_of[cid][rng.randrange(sessions_per_cohort)]
        if (sid, uid) in seen:
            continue
        seen.add((sid, uid))
        attendance_rows.append((aid, sid, uid, now))
        aid += 1
    out.write("attendance", ["id", "class_session_id", "user_id", "marked_at"], attendance_rows)

    out.reset_sequences(["ward", "residential_group", "user_account", "course", "lesson", "quiz", "cohort",
                         "enrollment", "lesson_progress", "quiz_attempt", "certificate", "class_session",
                         "attendance"])
    # The same people (so the same searches) whatever the size: names come from one seeded sequence.
    start = min(5_000, people // 2)
    sample = [names[i] for i in range(start, start + 20) if names[i] != "Người đã xoá"][:5]
    return Ward(ward_id, coordinator_phone, COORDINATOR_PIN, cohort_ids[0], group_ids, people, cohorts,
                out.counts, sample, courses)


def _write_courses(out: "_Writer", first_id: int, now: datetime) -> dict:
    """Five courses, each of ten lessons and a final quiz (two courses a cohort: twenty lessons a
    learner, so the ward's lesson progress reaches the issue's two million rows)."""
    course_ids, lessons_of, final_of = [], {}, {}
    lesson_rows, quiz_rows = [], []
    for c in range(5):
        cid = first_id + c
        course_ids.append(cid)
        lessons_of[cid] = [first_id + c * 100 + p for p in range(10)]
        final_of[cid] = first_id + c
    out.write("course", ["id", "slug", "title", "summary", "audiences", "competences", "level", "minutes",
                         "version", "content_hash", "created_at", "updated_at"],
              [(cid, f"khoa-{i}", json.dumps({"vi": f"Khoá học số {i + 1}"}), json.dumps({"vi": ""}),
                json.dumps(["everyone"]), json.dumps(["1.1"]), 1, 60, 1, "x", now, now)
               for i, cid in enumerate(course_ids)])
    for cid in course_ids:
        for p, lid in enumerate(lessons_of[cid]):
            lesson_rows.append((lid, cid, f"bai-{p}", p, json.dumps({"vi": f"Bài {p + 1}"}), 5, json.dumps([]),
                                json.dumps({}), json.dumps({}), json.dumps({}), "x", now, now))
        quiz_rows.append((final_of[cid], cid, None, "final", "final", 80, None, "x", now))
    out.write("lesson", ["id", "course_id", "slug", "position", "title", "minutes", "competences", "html",
                         "slides", "plain_text", "content_hash", "created_at", "updated_at"], lesson_rows)
    out.write("quiz", ["id", "course_id", "lesson_id", "key", "kind", "pass_mark", "max_attempts", "content_hash",
                       "updated_at"], quiz_rows)
    return {"ids": course_ids, "lessons": lessons_of, "finals": final_of}


# A province (issue 12): 100 wards, 100,000 learners, 2,000,000 lesson-progress rows, 150,000
# certificates, attendance for about 20,000 sessions (33 cohorts a ward, six sessions each).
PROVINCE_SHAPE = {"certificates": 150_000}
PROVINCE_SESSIONS_PER_COHORT = 6


def generate_province(conn, wards: int = 100, people: int = BASE_PEOPLE, *, secret_hash: str,
                      seed: int = 18) -> list[Ward]:
    """Many wards of `people // wards` people each, learning the same five courses."""
    made, courses = [], None
    for index in range(wards):
        ward = generate_ward(conn, people // wards, secret_hash=secret_hash, seed=seed,
                             first_id=1_000_000 + index * 10_000_000, index=index, shape=PROVINCE_SHAPE,
                             sessions_per_cohort=PROVINCE_SESSIONS_PER_COHORT, courses=courses)
        courses = ward.courses
        made.append(ward)
    return made


# --- measuring --------------------------------------------------------------------------------


def _app(database_url: str):
    from lms import create_app
    from tests.conftest import make_test_config

    return create_app(make_test_config(database_url))


def build(database_url: str, people: int, seed: int = 18, wards: int = 1) -> Ward:
    """Build one ward of `people`, or with `wards` > 1 a province of that many wards sharing the
    people; returns the first ward (the one measured)."""
    from lms.accounts.services import hash_secret
    from lms.extensions import db
    from tests.conftest import dispose_engines, reset_schema

    app = _app(database_url)
    reset_schema(app)
    with app.app_context():
        secret_hash = hash_secret(COORDINATOR_PIN)
        with db.engine.begin() as conn:
            if wards > 1:
                ward = generate_province(conn, wards, people, secret_hash=secret_hash, seed=seed)[0]
            else:
                ward = generate_ward(conn, people, secret_hash=secret_hash, seed=seed)
        with db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
            else:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
    dispose_engines(app)
    return ward


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def targets(ward: Ward) -> list[tuple[str, str, str]]:
    """(key, what, URL) of every page and export measured."""
    from lms.accounts.text import fold

    # /people/ lists learners: everyone but the coordinator and the instructors.
    learners = ward.people - 1 - _scaled("instructors", ward.people, 2)
    last_page = max(1, math.ceil(learners / 50))
    name = fold(ward.sample_names[0])
    return [
        ("people", "/people/ first page", "/people/"),
        ("people_group", "/people/ one residential group", f"/people/?group={ward.group_ids[1]}"),
        ("people_search", f"/people/ search “{name}”", f"/people/?q={name.replace(' ', '+')}"),
        ("people_common", "/people/ search “nguyen” (a third of the ward)", "/people/?q=nguyen"),
        ("people_late", f"/people/ page {last_page - 1}", f"/people/?page={last_page - 1}"),
        ("cohorts", "/cohorts/", "/cohorts/"),
        ("roster", "roster of the biggest cohort", f"/cohorts/{ward.big_cohort_id}/roster"),
        ("enrol_search", f"enrol page search “{name}”", f"/cohorts/{ward.big_cohort_id}/enrol?q={name.replace(' ', '+')}"),
        ("cert_xlsx", "certificate export XLSX (the year)",
         "/certificates/manage/export?start=01/01/2026&end=31/12/2026&format=xlsx"),
        ("cert_csv", "certificate export CSV (the year)",
         "/certificates/manage/export?start=01/01/2026&end=31/12/2026&format=csv"),
        ("roster_csv", "roster CSV of the biggest cohort", f"/cohorts/{ward.big_cohort_id}/roster.csv"),
        ("roster_xlsx", "roster XLSX of the biggest cohort", f"/cohorts/{ward.big_cohort_id}/roster.xlsx"),
    ]


def measure(database_url: str, ward: Ward, repeat: int, only: set[str] | None = None,
            budget_seconds: float = 25.0) -> list[dict]:
    """Time each target, signed in as the coordinator, one request at a time."""
    from tests.conftest import dispose_engines

    app = _app(database_url)
    results = []
    with app.test_client() as client:
        response = client.post("/login", data={"phone": ward.coordinator_phone, "secret": ward.coordinator_pin})
        if response.status_code != 302:
            raise SystemExit(f"could not sign in as the coordinator: {response.status_code}")
        for key, what, url in targets(ward):
            if only and key not in only:
                continue
            times, cpu, size, status = [], [], 0, None
            started = time.perf_counter()
            for run in range(repeat + 1):
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.get(url)
                body = b"".join(response.response) if response.is_streamed else response.get_data()
                response.close()
                elapsed, used = time.perf_counter() - t0, time.process_time() - c0
                status, size = response.status_code, len(body)
                if run:  # the first request warms caches (templates, compiled SQL)
                    times.append(elapsed * 1000)
                    cpu.append(used * 1000)
                if run >= 3 and time.perf_counter() - started > budget_seconds:
                    break
            results.append({"key": key, "what": what, "status": status, "bytes": size, "runs": len(times),
                            "median_ms": statistics.median(times), "p95_ms": _percentile(times, 0.95),
                            "cpu_median_ms": statistics.median(cpu), "cpu_p95_ms": _percentile(cpu, 0.95)})
            r = results[-1]
            print(f"  {what:58} {status}  {size / 1024:9.1f} KB  median {r['median_ms']:8.1f} ms"
                  f"  p95 {r['p95_ms']:8.1f} ms  CPU median {r['cpu_median_ms']:7.1f} ms"
                  f"  p95 {r['cpu_p95_ms']:7.1f} ms  ({len(times)} runs)", flush=True)
    dispose_engines(app)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=BASE_PEOPLE)
    parser.add_argument("--database-url", help="a PostgreSQL database to wipe and use (default: a temporary SQLite file)")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep", help="SQLite: build the ward into this file and keep it")
    parser.add_argument("--reuse", help="a JSON file describing a ward built earlier with --keep or on PostgreSQL")
    parser.add_argument("--only", help="comma-separated keys of the targets to measure")
    parser.add_argument("--json", help="write the results here as JSON")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="ward-scale-"))
    database_url = args.database_url or f"sqlite:///{Path(args.keep).resolve() if args.keep else folder / 'ward.db'}"
    if args.reuse:
        saved = json.loads(Path(args.reuse).read_text())
        database_url, ward = saved["database_url"], Ward(**saved["ward"])
    else:
        t0 = time.perf_counter()
        ward = build(database_url, args.people)
        print(f"ward of {args.people:,} people built in {time.perf_counter() - t0:.1f} s on "
              f"{database_url.split(':')[0]}: {ward.counts}", flush=True)
        if args.keep or args.database_url:
            record = Path(args.keep or folder / "ward.json").with_suffix(".json")
            record.write_text(json.dumps({"database_url": database_url, "ward": ward.__dict__}))
            print(f"reuse it with --reuse {record}")
    only = set(args.only.split(",")) if args.only else None
    results = measure(database_url, ward, args.repeat, only)
    over = [r for r in results if r["p95_ms"] > (EXPORT_BUDGET_MS if "_csv" in r["key"] or "_xlsx" in r["key"]
                                                else PAGE_BUDGET_MS)]
    if args.json:
        Path(args.json).write_text(json.dumps({"people": ward.people, "database": database_url.split(":")[0],
                                               "results": results}, indent=1))
    if over:
        print("over budget: " + ", ".join(r["key"] for r in over))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    sys.exit(main())
