"""A certificate is issued at the moment the online rule is met, exactly once, and never before."""
import threading

import pytest
import sqlalchemy as sa

from lms.audit.models import AuditLog
from lms.certificates.models import Certificate
from lms.certificates.services import issue_certificate, issue_if_completed
from lms.extensions import db
from lms.signals import course_progress_changed
from tests.certificates.conftest import finish


def _count(**where) -> int:
    query = sa.select(sa.func.count()).select_from(Certificate)
    for key, value in where.items():
        query = query.where(getattr(Certificate, key) == value)
    return db.session.scalar(query)


def test_finishing_the_last_step_issues_the_certificate_through_the_signal(app, lan, make_course, make_user,
                                                                           make_cohort, ward_a):
    course = make_course(title="An toàn trên mạng", competences=("4.2", "4.1", "2.6"), level=1, version=3)
    teacher = make_user(("instructor",), ward=ward_a, name="Lê Văn Minh")
    make_cohort(ward_a, courses=[course], members=[lan], instructors=[teacher])
    finish(lan, course)
    with app.test_request_context():
        course_progress_changed.send(app, user=lan, course=course)
        db.session.commit()
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == lan.id))
    assert certificate is not None
    assert (certificate.method, certificate.status, certificate.course_version, certificate.level) == (
        "online", "valid", 3, 1)
    assert certificate.competences == ["4.2", "4.1", "2.6"]
    assert certificate.course_title["vi"] == "An toàn trên mạng"
    assert certificate.ward_id == ward_a.id
    assert certificate.instructor_id == teacher.id
    assert certificate.attested_by_id is None
    assert 0 <= certificate.status_index
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.target_id == certificate.id))
    assert entry.action == "certificate.issued" and entry.ward_id == ward_a.id and entry.actor_id is None


def test_a_learner_in_no_cohort_gets_a_certificate_with_no_instructor(app, lan, make_course):
    course = make_course()
    finish(lan, course)
    certificate = issue_if_completed(lan, course)
    assert certificate.instructor_id is None and certificate.ward_id == lan.ward_id


@pytest.mark.parametrize("lessons, quiz_passed", [(2, False), (1, True), (0, False)])
def test_nothing_is_issued_before_the_rule_is_met(app, lan, make_course, lessons, quiz_passed):
    course = make_course()
    finish(lan, course, lessons=lessons, quiz_passed=quiz_passed)
    with app.test_request_context():
        course_progress_changed.send(app, user=lan, course=course)
        db.session.commit()
    assert _count() == 0


def test_the_signal_twice_still_makes_one_certificate(app, lan, make_course):
    course = make_course()
    finish(lan, course)
    for _ in range(3):
        course_progress_changed.send(app, user=lan, course=course)
    db.session.commit()
    assert _count(user_id=lan.id) == 1


def test_content_updated_after_issue_does_not_change_what_was_attested(app, issued):
    course = issued.course
    course.version, course.competences, course.level = 9, ["6.1"], 3
    course.title = {"vi": "Tên mới", "en": "New"}
    db.session.commit()
    db.session.refresh(issued)
    assert (issued.course_version, issued.competences, issued.level) == (1, ["4.2", "4.1"], 1)
    assert issued.course_title["vi"] == "An toàn trên mạng"


def test_the_database_refuses_a_second_certificate_for_the_same_learner_and_course(app, issued):
    from sqlalchemy.exc import IntegrityError

    duplicate = Certificate(code="ABCDEFGHJKMN", user_id=issued.user_id, course_id=issued.course_id,
                            course_version=1, course_title={}, competences=[], level=1, method="online",
                            status_index=issued.status_index + 1)
    db.session.add(duplicate)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_two_sessions_racing_to_issue_make_exactly_one_certificate(app, lan, make_course):
    """Two requests finishing the course at the same moment, each in its own connection."""
    course = make_course()
    finish(lan, course)
    user_id, course_id = lan.id, course.id
    barrier = threading.Barrier(2)
    codes, errors = [], []

    def worker():
        with app.app_context():
            try:
                from lms.accounts.models import User
                from lms.courses.models import Course

                user, target = db.session.get(User, user_id), db.session.get(Course, course_id)
                barrier.wait(timeout=10)
                result = issue_certificate(user, target)
                db.session.commit()
                codes.append(result.certificate.code)
            except Exception as exc:  # noqa: BLE001 — the test reports whatever went wrong
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert len(codes) == 2 and codes[0] == codes[1]
    db.session.expire_all()
    assert _count(user_id=user_id) == 1


def test_an_erased_person_is_not_issued_anything(app, lan, make_course):
    from lms.timeutil import utcnow

    course = make_course()
    finish(lan, course)
    lan.erased_at = utcnow()
    db.session.commit()
    assert issue_if_completed(lan, course) is None
    assert _count() == 0


def test_a_failing_issue_never_loses_the_learners_progress(app, lan, make_course, monkeypatch):
    """The lesson just completed must be saved even if issuing breaks; the page issues it later."""
    from lms.certificates import receivers
    from lms.courses.models import LessonProgress

    course = make_course()
    finish(lan, course)

    def broken(user, course):
        raise RuntimeError("boom")

    monkeypatch.setattr(receivers, "issue_if_completed", broken)
    course_progress_changed.send(app, user=lan, course=course)
    db.session.commit()
    assert _count() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LessonProgress)) == 2


def test_losing_the_race_returns_the_winners_certificate_and_keeps_the_callers_work(app, issued, monkeypatch):
    """The other request committed between our check and our insert: the savepoint absorbs the clash."""
    from lms.certificates import services
    from lms.courses.models import LessonProgress

    real = services.certificate_for
    calls = []

    def stale_then_real(user_id, course_id):
        calls.append(1)
        return None if len(calls) == 1 else real(user_id, course_id)

    monkeypatch.setattr(services, "certificate_for", stale_then_real)
    lesson = issued.course.lessons[0]
    progress = db.session.scalar(sa.select(LessonProgress).where(LessonProgress.lesson_id == lesson.id))
    db.session.delete(progress)  # work the caller staged before issuing, which must survive
    result = issue_certificate(issued.user, issued.course)
    assert not result.created and result.certificate.id == issued.id
    db.session.commit()
    assert _count() == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LessonProgress)) == 1
