"""A small hand-made ward whose indicators are worked out by hand (see test_indicators.py).

Ward A, period 01/01/2026 – 30/06/2026 (Vietnam time; UTC+7):

    cohorts  E elderly, group G1, course c1 · T traders, market G2, courses c1+c2 · D disability, no group, c2
    p1 G1  enrolled E 10/02; passed c1's final 01/03; certificate c1 02/03; household HH1; at S1, S4
    p2 G1  enrolled E 11/02; household HH1; at S1
    p3 G2  enrolled T 05/03; certificate c2 in person 10/04; household HH2; at S3 (10/07, outside)
    p4 G2  enrolled T 05/03; certificate c1 REVOKED 11/04; household HH3; AI search 01/05 (self)
    p5 --  enrolled D 20/12/2025 (before); passed c2 15/01; certificate c2 16/01; at S2; AI writing
           01/02 (instructor); then ERASED (certificate withdrawn, still counted)
    p8 G1  enrolled E 20/01; passed c1 30/06 20:00 UTC = 01/07 03:00 in Vietnam (outside)
    p9 G1  enrolled E 31/12/2025 18:00 UTC = 01/01 01:00 in Vietnam (inside); passed c1 30/06 16:00 UTC (inside)
    p10 G1 not enrolled; passed c2 01/08 (after the period)
    p7 G1  mentor of p1, p3, p5, p8, p9, p10 (since 05/01; erasing p5 ends that mentorship) · p2 mentor of p4
    HH4    a household with no member
    sessions S1 E 15/02 · S2 D 10/01 · S3 T 10/07 · S4 E 01/03

Ward B: one certified learner with attendance and an AI record, who must never count in A.
"""
from __future__ import annotations

import itertools
from datetime import date, datetime, time
from types import SimpleNamespace

import pytest

from lms.extensions import db

_codes = itertools.count(1)


def _course(slug, competences):
    from lms.courses.models import Course
    from lms.quizzes.models import Quiz

    course = Course(slug=slug, title={"vi": f"Khoá {slug}", "en": f"Course {slug}"}, summary={"vi": ""},
                    audiences=["everyone"], competences=competences, level=1, minutes=30, version=1,
                    content_hash="x")
    db.session.add(course)
    db.session.flush()
    quiz = Quiz(course_id=course.id, key="final", kind="final", pass_mark=70, max_attempts=3, content_hash="x")
    db.session.add(quiz)
    db.session.flush()
    return course, quiz


def _certificate(user, course, ward, issued, status="valid", method="online"):
    from lms.certificates.models import Certificate

    n = next(_codes)
    cert = Certificate(code=f"TEST{n:08d}", user_id=user.id, course_id=course.id, course_version=1,
                       course_title=course.title, competences=course.competences, level=1, issued_at=issued,
                       ward_id=ward.id, method=method, status=status, status_index=n + 1000,
                       revoked_at=issued if status == "revoked" else None,
                       assessed_on=issued.date() if method == "in_person" else None,
                       assessment_kind="paper" if method == "in_person" else None)
    db.session.add(cert)
    return cert


def _passed(user, quiz, at):
    from lms.quizzes.models import QuizAttempt

    db.session.add(QuizAttempt(user_id=user.id, quiz_id=quiz.id, number=1, question_order=[], choice_order={},
                               started_at=at, submitted_at=at, correct_count=5, question_count=5, passed=True))


@pytest.fixture()
def known_ward(app, make_ward, make_user):
    from lms.cohorts.models import Attendance, ClassSession, Cohort, Enrollment
    from lms.accounts.privacy import erase_person
    from lms.households.models import Household, HouseholdMember, Mentorship
    from lms.reports.models import AiToolUse
    from lms.wards.models import ResidentialGroup

    a = make_ward("Phường Mẫu A", groups=("Tổ 1",))
    g1 = a.groups[0]
    market = ResidentialGroup(ward_id=a.id, name="Chợ Đông", kind="cho")
    db.session.add(market)
    db.session.commit()
    b = make_ward("Phường Khác B", groups=("Tổ B",))
    coordinator = make_user(("coordinator",), ward=a, name="Trần Thị Điều Phối")
    instructor = make_user(("instructor",), ward=a, name="Lê Văn Dạy")
    people = {}
    for key, group in (("p1", g1), ("p2", g1), ("p3", market), ("p4", market), ("p5", None), ("p7", g1),
                       ("p8", g1), ("p9", g1), ("p10", g1)):
        people[key] = make_user(ward=a, group=group, name=f"Người Học {key.upper()}")
    q1 = make_user(ward=b, group=b.groups[0], name="Người Phường Khác")

    c1, f1 = _course("c1", ["1.1", "2.1"])
    c2, f2 = _course("c2", ["2.1", "3.1"])
    E = Cohort(ward_id=a.id, group_id=g1.id, name="Lớp E", audience="elderly", join_code="E0001")
    T = Cohort(ward_id=a.id, group_id=market.id, name="Lớp T", audience="traders", join_code="T0001")
    D = Cohort(ward_id=a.id, group_id=None, name="Lớp D", audience="disability", join_code="D0001")
    B = Cohort(ward_id=b.id, group_id=b.groups[0].id, name="Lớp B", audience="elderly", join_code="B0001")
    E.courses, T.courses, D.courses, B.courses = [c1], [c1, c2], [c2], [c1]
    E.instructors = [instructor]
    db.session.add_all([E, T, D, B])
    db.session.flush()
    p = SimpleNamespace(**people)
    dt = datetime
    for user, cohort, at in ((p.p1, E, dt(2026, 2, 10, 8)), (p.p2, E, dt(2026, 2, 11, 8)),
                             (p.p3, T, dt(2026, 3, 5, 8)), (p.p4, T, dt(2026, 3, 5, 9)),
                             (p.p5, D, dt(2025, 12, 20, 8)), (p.p8, E, dt(2026, 1, 20, 8)),
                             (p.p9, E, dt(2025, 12, 31, 18)), (q1, B, dt(2026, 2, 1, 8))):
        db.session.add(Enrollment(cohort_id=cohort.id, user_id=user.id, enrolled_at=at))
    _passed(p.p1, f1, dt(2026, 3, 1, 9))
    _passed(p.p5, f2, dt(2026, 1, 15, 9))
    _passed(p.p8, f1, dt(2026, 6, 30, 20))
    _passed(p.p9, f1, dt(2026, 6, 30, 16))
    _passed(p.p10, f2, dt(2026, 8, 1, 9))
    _certificate(p.p1, c1, a, dt(2026, 3, 2, 9))
    _certificate(p.p3, c2, a, dt(2026, 4, 10, 9), method="in_person")
    _certificate(p.p4, c1, a, dt(2026, 4, 11, 9), status="revoked")
    _certificate(p.p5, c2, a, dt(2026, 1, 16, 9))
    _certificate(q1, c1, b, dt(2026, 2, 2, 9))
    hh = [Household(ward_id=a.id, group_id=g1.id, name=f"Hộ {i}", name_key=f"ho {i}") for i in range(1, 5)]
    db.session.add_all(hh)
    db.session.flush()
    for house, user in ((hh[0], p.p1), (hh[0], p.p2), (hh[1], p.p3), (hh[2], p.p4)):
        db.session.add(HouseholdMember(household_id=house.id, user_id=user.id))
    for mentee in (p.p1, p.p3, p.p5, p.p8, p.p9, p.p10):
        db.session.add(Mentorship(ward_id=a.id, mentor_id=p.p7.id, mentee_id=mentee.id, created_at=dt(2026, 1, 5)))
    db.session.add(Mentorship(ward_id=a.id, mentor_id=p.p2.id, mentee_id=p.p4.id, created_at=dt(2026, 1, 5)))
    sessions = {}
    for name, cohort, day in (("S1", E, date(2026, 2, 15)), ("S2", D, date(2026, 1, 10)),
                              ("S3", T, date(2026, 7, 10)), ("S4", E, date(2026, 3, 1)), ("SB", B, date(2026, 2, 3))):
        sessions[name] = ClassSession(cohort_id=cohort.id, day=day, starts_at=time(8), place="Nhà văn hoá")
        db.session.add(sessions[name])
    db.session.flush()
    for name, user in (("S1", p.p1), ("S1", p.p2), ("S2", p.p5), ("S3", p.p3), ("S4", p.p1), ("SB", q1)):
        db.session.add(Attendance(class_session_id=sessions[name].id, user_id=user.id))
    db.session.add_all([
        AiToolUse(user_id=p.p4.id, ward_id=a.id, kind="search", used_on=date(2026, 5, 1), recorded_by_id=p.p4.id),
        AiToolUse(user_id=p.p5.id, ward_id=a.id, kind="writing", used_on=date(2026, 2, 1), cohort_id=D.id,
                  recorded_by_id=instructor.id, by_instructor=True),
        AiToolUse(user_id=q1.id, ward_id=b.id, kind="search", used_on=date(2026, 2, 5), recorded_by_id=q1.id),
    ])
    db.session.commit()
    erase_person(p.p5, by=coordinator, reason="asked")
    db.session.commit()
    return SimpleNamespace(ward=a, other=b, g1=g1, market=market, c1=c1, c2=c2, coordinator=coordinator,
                           instructor=instructor, people=p, other_learner=q1, cohorts=SimpleNamespace(E=E, T=T, D=D, B=B),
                           start=date(2026, 1, 1), end=date(2026, 6, 30))
