"""The data of a province's mixed day (benchmarks.province_day), built in a process of its own.

    python -m benchmarks.province_day_build OUT.json   (DATABASE_URL and SECRET_KEY from the environment)

On top of a generated province (benchmarks.ward_scale.generate_province: wards, cohorts, lesson
progress, certificates and attendance in the shape of issue 18) and the real courses of content/,
it makes the people who act during the day, each already signed in on their own phone (a row in
account_session and the signed cookie the app would have set):
- a dozen classes, one per ward, each with an instructor, thirty learners and a session today;
- learners reading lessons and answering their checks, and learners who have read every lesson
  of a course and take its final quiz (one each: a learner passes once);
- the coordinators of the first wards, with an empty class to import a sheet into and their
  ward's biggest class to export.
"""
from __future__ import annotations

import json
import os
import sys
from datetime import time as clock, timedelta


def build(rooms: int, phones: int, readers: int, final_takers: int, coordinators: int) -> dict:
    import sqlalchemy as sa

    from lms import create_app
    from lms.accounts.models import AccountSession, User, UserRole
    from lms.accounts.people import create_person
    from lms.accounts.principal import SESSION_KEY, SESSION_VERSION
    from lms.accounts.signins import key_hash
    from lms.cohorts.models import Cohort, Enrollment
    from lms.cohorts.schedule import add_session, vietnam_today
    from lms.cohorts.services import create_cohort
    from lms.courses.models import Course, LessonProgress
    from lms.extensions import db
    from lms.quizzes.services import check_quiz_for, final_quiz_for
    from lms.timeutil import utcnow
    from lms.wards.models import Ward

    app = create_app()
    serializer = app.session_interface.get_signing_serializer(app)
    now = utcnow()

    def signed_in(user) -> str:
        key = os.urandom(24).hex()
        db.session.add(AccountSession(user_id=user.id, key_hash=key_hash(key), session_version=user.session_version,
                                      label="android|Chrome", method="card", created_at=now, last_seen_at=now,
                                      expires_at=now + timedelta(days=14)))
        return serializer.dumps({"_permanent": True, "_user_id": str(user.id), "_fresh": True,
                                 SESSION_KEY: key, SESSION_VERSION: user.session_version})

    def learners(ward, count: int, prefix: str) -> list:
        """Learners made directly (create_person's checks cost ~5 ms each, and these phones are new)."""
        people = []
        for n in range(count):
            person = User(full_name=f"Học Viên {prefix} {n:04d}", phone=None, ward_id=ward.id, birth_year=1950 + n % 40)
            person.role_rows = [UserRole(role="learner")]
            people.append(person)
        db.session.add_all(people)
        db.session.flush()
        return people

    def enrol_all(cohort, people) -> None:
        db.session.add_all(Enrollment(cohort_id=cohort.id, user_id=p.id, enrolled_at=now) for p in people)

    with app.app_context():
        wards = list(db.session.scalars(sa.select(Ward).order_by(Ward.id)))
        courses = [c for c in db.session.scalars(sa.select(Course).where(Course.retired_at.is_(None)).order_by(Course.id))
                   if c.active_lessons and not c.slug.startswith("khoa-")]  # the real courses, not generated ones
        live_course = next(c for c in courses if any(l.slides and check_quiz_for(l.id) for l in c.active_lessons))
        live_lesson = next(l for l in live_course.active_lessons if l.slides and check_quiz_for(l.id))
        final_course = next(c for c in courses if final_quiz_for(c.id) is not None)
        lessons = []
        for course in courses:
            for lesson in course.active_lessons:
                check = check_quiz_for(lesson.id)
                lessons.append({"path": f"/courses/{course.slug}/{lesson.slug}", "check": check.id if check else None,
                                "questions": len(check.active_questions) if check else 0})

        out = {"cookie_name": app.config["SESSION_COOKIE_NAME"], "lessons": lessons, "rooms": [],
               "final_quiz": final_quiz_for(final_course.id).id,
               "final_questions": len(final_quiz_for(final_course.id).active_questions)}
        for r in range(rooms):
            ward = wards[r % len(wards)]
            instructor = create_person(full_name=f"Giảng Viên {r:02d}", phone=f"09009{r:05d}", roles=("instructor",),
                                       ward=ward)
            cohort = create_cohort(ward_id=ward.id, name=f"Lớp trực tiếp {r:02d}", audience="everyone",
                                   instructor_ids=[instructor.id], course_ids=[live_course.id])
            db.session.flush()
            people = learners(ward, phones, f"L{r:02d}")
            enrol_all(cohort, people)
            session = add_session(cohort, day=vietnam_today(), starts_at=clock(8, 0), place=f"Nhà văn hoá {r + 1}")
            db.session.flush()
            out["rooms"].append({"session_id": session.id, "lesson_id": live_lesson.id,
                                 "instructor": signed_in(instructor), "phones": [signed_in(p) for p in people]})

        reading = create_cohort(ward_id=wards[0].id, name="Lớp tự học", audience="everyone",
                                course_ids=[c.id for c in courses])
        db.session.flush()
        people = learners(wards[0], readers, "R")
        enrol_all(reading, people)
        out["readers"] = [signed_in(p) for p in people]
        people = learners(wards[0], final_takers, "F")
        enrol_all(reading, people)
        db.session.add_all(LessonProgress(user_id=p.id, lesson_id=lesson.id, completed_at=now)
                           for p in people for lesson in final_course.active_lessons)
        out["final_takers"] = [signed_in(p) for p in people]

        out["coordinators"] = []
        for ward in wards[:coordinators]:
            coordinator = db.session.scalar(sa.select(User).join(UserRole).where(
                User.ward_id == ward.id, UserRole.role == "coordinator").order_by(User.id).limit(1))
            biggest = db.session.execute(
                sa.select(Enrollment.cohort_id).join(Cohort, Cohort.id == Enrollment.cohort_id)
                .where(Cohort.ward_id == ward.id).group_by(Enrollment.cohort_id)
                .order_by(sa.func.count().desc()).limit(1)).scalar_one()
            target = create_cohort(ward_id=ward.id, name="Lớp nhập danh sách", audience="everyone")
            db.session.flush()
            out["coordinators"].append({"cookie": signed_in(coordinator), "ward_id": ward.id,
                                        "import_cohort": target.id, "export_cohort": biggest})
        db.session.commit()
    return out


def main() -> None:
    args = json.loads(sys.argv[2])
    with open(sys.argv[1], "w", encoding="utf-8") as handle:
        json.dump(build(**args), handle)


if __name__ == "__main__":
    main()
