"""What a live class does, in one place: rules first, then one transaction (the views commit).

Every function reads and writes the database only, so two processes (or two gunicorn workers)
serving the same class see the same state.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import date, time as clock, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.accounts.collation import sort_by_name
from lms.cohorts.models import Attendance, ClassSession, Cohort, Enrollment
from lms.cohorts.schedule import add_session
from lms.courses.models import Lesson
from lms.extensions import db
from lms.live.models import LiveParticipant, LiveQuestion, LiveResponse, LiveSession
from lms.quizzes.models import Question, Quiz
from lms.quizzes.services import check_quiz_for, question_type
from lms.timeutil import utcnow

CODE_SECONDS = 45  # the code on the projector changes this often; the previous one still works
CONNECTED_SECONDS = 20  # a phone seen this recently counts as connected
SEEN_EVERY_SECONDS = 8  # a following phone's "last seen" is written at most this often
MAX_SERIES = 52  # a weekly series is at most a year of weeks


class LiveError(Exception):
    """A refused action; `code` names the reason (the views turn it into a message and status)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# ---- the instructor's day ------------------------------------------------------------------

def taught_cohort_ids(user) -> list[int]:
    from lms.cohorts.models import cohort_instructor

    return list(db.session.scalars(
        sa.select(cohort_instructor.c.cohort_id).where(cohort_instructor.c.user_id == user.id)))


def day_sessions(cohort_ids: list[int], today: date, days: int = 14) -> list[ClassSession]:
    """Sessions of these cohorts from today for `days` days, soonest first."""
    if not cohort_ids:
        return []
    return db.session.scalars(
        sa.select(ClassSession).where(ClassSession.cohort_id.in_(cohort_ids), ClassSession.day >= today,
                                      ClassSession.day < today + timedelta(days=days))
        .order_by(ClassSession.day, ClassSession.starts_at)
    ).all()


def series_days(first: date, weekdays: set[int], count: int) -> list[date]:
    """The next `count` days from `first` (included) that fall on `weekdays` (0 = Monday)."""
    days, day = [], first
    while weekdays and len(days) < count:
        if day.weekday() in weekdays:
            days.append(day)
        day += timedelta(days=1)
    return days


def add_series(cohort: Cohort, *, first: date, weekdays: set[int], count: int, starts_at: clock,
               place: str) -> list[ClassSession]:
    """Schedule a weekly series (e.g. every Tuesday and Thursday, 8 times); a day and time the
    cohort already has is not added twice."""
    existing = set(db.session.execute(
        sa.select(ClassSession.day, ClassSession.starts_at).where(ClassSession.cohort_id == cohort.id)).all())
    return [add_session(cohort, day=day, starts_at=starts_at, place=place)
            for day in series_days(first, weekdays, count) if (day, starts_at) not in existing]


def lessons_for(cohort: Cohort) -> list[Lesson]:
    """The lessons an instructor may present to this cohort: those of its courses."""
    return [lesson for course in cohort.courses for lesson in course.active_lessons]


# ---- starting, the projector and the rotating code -----------------------------------------

def live_for(class_session: ClassSession) -> LiveSession | None:
    return db.session.scalar(sa.select(LiveSession).where(LiveSession.class_session_id == class_session.id))


def start(class_session: ClassSession, lesson: Lesson | None, by) -> LiveSession:
    """Open the live class of a session (or the one already open: starting twice makes one)."""
    live = live_for(class_session)
    if live is None:
        try:
            with db.session.begin_nested():
                live = LiveSession(class_session_id=class_session.id, cohort_id=class_session.cohort_id,
                                   lesson_id=lesson.id if lesson else None, started_by_id=by.id)
                db.session.add(live)
        except IntegrityError:
            live = live_for(class_session)
    elif lesson is not None and live.lesson_id != lesson.id:
        live.lesson_id, live.slide = lesson.id, 0
        bump(live)
    if live.ended_at is not None:
        live.ended_at = None
        bump(live)
    db.session.flush()
    return live


def end(live: LiveSession) -> None:
    live.ended_at = utcnow()
    bump(live)


def bump(live: LiveSession) -> None:
    """Something the phones or the projector show changed: a new ETag for everyone."""
    db.session.execute(sa.update(LiveSession).where(LiveSession.id == live.id)
                       .values(version=LiveSession.version + 1))
    db.session.flush()
    db.session.refresh(live, ["version"])


def claim_screen(live: LiveSession) -> str:
    """The projector page just opened takes over the slides; the one before is told so."""
    live.screen_key = secrets.token_urlsafe(16)
    db.session.flush()
    return live.screen_key


def slides_of(live: LiveSession, lang: str) -> list[str]:
    lesson = live.lesson
    if lesson is None:
        return []
    slides = lesson.slides or {}
    return list(slides.get(lang) or slides.get("vi") or [])


def set_slide(live: LiveSession, number: int, screen_key: str | None, total: int) -> None:
    if not screen_key or not hmac.compare_digest(str(live.screen_key or ""), screen_key):
        raise LiveError("other_screen")
    if live.ended_at is not None:
        raise LiveError("ended")
    number = max(0, min(number, max(total - 1, 0)))
    if number != live.slide:
        live.slide = number
        bump(live)


def _window(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // CODE_SECONDS)


def join_code(live_id: int, window: int | None = None) -> str:
    """Six digits from the app's secret, the live class and the time window: a photo of the
    projector sent home stops working within two windows."""
    window = _window() if window is None else window
    secret = str(current_app.secret_key or "").encode()
    digest = hmac.new(secret, f"live-join:{live_id}:{window}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def seconds_left(now: float | None = None) -> int:
    now = time.time() if now is None else now
    return CODE_SECONDS - int(now % CODE_SECONDS)


def normalise_code(text: str | None) -> str:
    return "".join(ch for ch in (text or "") if ch.isdigit())[:12]


def running() -> list[int]:
    """Live classes open now (started in the last day and not ended)."""
    since = utcnow() - timedelta(hours=18)
    return list(db.session.scalars(sa.select(LiveSession.id).where(
        LiveSession.ended_at.is_(None), LiveSession.started_at >= since)))


def find_by_code(code: str) -> list[int]:
    """Open live classes whose current or previous code is `code` (almost always one)."""
    code = normalise_code(code)
    if len(code) != 6:
        return []
    window = _window()
    return [live_id for live_id in running()
            if any(hmac.compare_digest(join_code(live_id, w), code) for w in (window, window - 1))]


# ---- joining and attendance ------------------------------------------------------------------

def is_member(cohort_id: int, user_id: int) -> bool:
    return db.session.scalar(
        sa.select(Enrollment.id).join(User, User.id == Enrollment.user_id)
        .where(Enrollment.cohort_id == cohort_id, Enrollment.user_id == user_id, User.erased_at.is_(None))
    ) is not None


def _ensure(model, values: dict, where) -> bool:
    """Insert a row unless it is there; True when this call added it (a race adds one)."""
    if db.session.scalar(sa.select(model.id).where(*where)) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(model(**values))
        return True
    except IntegrityError:
        return False


def join(live: LiveSession, user_id: int, *, by_id: int | None = None, via: str = "scan") -> bool:
    """Join a learner and mark them present; True when they were new. Joining twice adds nothing."""
    if live.ended_at is not None:
        raise LiveError("ended")
    if not is_member(live.cohort_id, user_id):
        raise LiveError("not_member")
    now = utcnow()
    added = _ensure(LiveParticipant, dict(live_session_id=live.id, user_id=user_id, via=via, joined_at=now,
                                          last_seen_at=now if via == "scan" else None),
                    (LiveParticipant.live_session_id == live.id, LiveParticipant.user_id == user_id))
    _ensure(Attendance, dict(class_session_id=live.class_session_id, user_id=user_id,
                             marked_by_id=by_id if by_id is not None else user_id, marked_at=now),
            (Attendance.class_session_id == live.class_session_id, Attendance.user_id == user_id))
    return added


def untick(live: LiveSession, user_id: int) -> bool:
    """The instructor saw someone is not here: no longer joined, not present."""
    gone = db.session.execute(sa.delete(LiveParticipant).where(
        LiveParticipant.live_session_id == live.id, LiveParticipant.user_id == user_id)).rowcount
    gone += db.session.execute(sa.delete(Attendance).where(
        Attendance.class_session_id == live.class_session_id, Attendance.user_id == user_id)).rowcount
    return bool(gone)


def participant(live: LiveSession, user_id: int) -> LiveParticipant | None:
    return db.session.scalar(sa.select(LiveParticipant).where(
        LiveParticipant.live_session_id == live.id, LiveParticipant.user_id == user_id))


def seen(live_id: int, user_id: int) -> bool:
    """This phone is following: written at most every few seconds; False when not joined."""
    now = utcnow()
    result = db.session.execute(sa.update(LiveParticipant).where(
        LiveParticipant.live_session_id == live_id, LiveParticipant.user_id == user_id,
        sa.or_(LiveParticipant.last_seen_at.is_(None),
               LiveParticipant.last_seen_at < now - timedelta(seconds=SEEN_EVERY_SECONDS)),
    ).values(last_seen_at=now))
    if result.rowcount:
        return True
    return db.session.scalar(sa.select(LiveParticipant.id).where(
        LiveParticipant.live_session_id == live_id, LiveParticipant.user_id == user_id)) is not None


def connected_count(live: LiveSession) -> int:
    since = utcnow() - timedelta(seconds=CONNECTED_SECONDS)
    return db.session.scalar(sa.select(sa.func.count()).select_from(LiveParticipant).where(
        LiveParticipant.live_session_id == live.id, LiveParticipant.last_seen_at >= since)) or 0


def joined_count(live: LiveSession) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(LiveParticipant).where(
        LiveParticipant.live_session_id == live.id)) or 0


def room(live: LiveSession) -> list[tuple[User, bool]]:
    """The cohort's living members in Vietnamese order, each with whether they are present."""
    people = db.session.scalars(
        sa.select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.cohort_id == live.cohort_id, User.erased_at.is_(None))).all()
    present = set(db.session.scalars(
        sa.select(Attendance.user_id).where(Attendance.class_session_id == live.class_session_id)))
    return [(person, person.id in present) for person in sort_by_name(people)]


# ---- live questions --------------------------------------------------------------------------

def quiz_for(live: LiveSession) -> Quiz | None:
    return check_quiz_for(live.lesson_id) if live.lesson_id else None


def askable(live: LiveSession) -> list[Question]:
    quiz = quiz_for(live)
    return quiz.active_questions if quiz else []


def current(live: LiveSession) -> LiveQuestion | None:
    """The newest question sent, until it is put away."""
    asked = db.session.scalar(sa.select(LiveQuestion).where(LiveQuestion.live_session_id == live.id)
                              .order_by(LiveQuestion.id.desc()).limit(1))
    return asked if asked is not None and asked.state != "done" else None


def send(live: LiveSession, question_id: int) -> LiveQuestion:
    if live.ended_at is not None:
        raise LiveError("ended")
    if question_id not in {q.id for q in askable(live)}:
        raise LiveError("not_askable")
    return open_question(live, question_id)


def open_question(live: LiveSession, question_id: int) -> LiveQuestion:
    """Put a question on the phones (the one before is put away); the caller checked it may be asked."""
    if live.ended_at is not None:
        raise LiveError("ended")
    db.session.execute(sa.update(LiveQuestion).where(
        LiveQuestion.live_session_id == live.id, LiveQuestion.state != "done").values(state="done"))
    asked = LiveQuestion(live_session_id=live.id, question_id=question_id, state="open")
    db.session.add(asked)
    bump(live)
    return asked


def advance(live: LiveSession, asked: LiveQuestion, to: str) -> None:
    """open → closed → revealed → done; a step back or a repeat changes nothing."""
    order = ("open", "closed", "revealed", "done")
    if asked.live_session_id != live.id or to not in order:
        raise LiveError("not_askable")
    if order.index(to) <= order.index(asked.state):
        return
    asked.state = to
    if asked.closed_at is None and to != "open":
        asked.closed_at = utcnow()
    bump(live)


def options(question: Question) -> list[dict]:
    """What phones and the projector show as the answers, in the quiz file's order (the same
    letter everywhere in the room)."""
    qtype = question_type(question)
    if not qtype.has_choices:
        return [{"key": "true", "text": {"vi": "Đúng", "en": "True"}, "image": None, "alt": {}},
                {"key": "false", "text": {"vi": "Sai", "en": "False"}, "image": None, "alt": {}}]
    return qtype.shown_choices(question, None)


def answer(live: LiveSession, asked: LiveQuestion, user_id: int, values, *, by_id: int | None = None) -> LiveResponse:
    """Record a learner's answer, graded here; the first answer is kept."""
    if asked.live_session_id != live.id or asked.state != "open":
        raise LiveError("closed")
    if participant(live, user_id) is None:
        raise LiveError("not_joined")
    question = asked.question
    qtype = question_type(question)
    parsed = qtype.parse(question, values)
    if parsed is None:
        raise LiveError("bad_choice")
    existing = response_of(asked, user_id)
    if existing is not None:
        return existing
    try:
        with db.session.begin_nested():
            response = LiveResponse(live_question_id=asked.id, user_id=user_id, response=list(parsed),
                                    correct=qtype.grade(question, parsed), recorded_by_id=by_id)
            db.session.add(response)
    except IntegrityError:
        return response_of(asked, user_id)
    return response


def response_of(asked: LiveQuestion, user_id: int) -> LiveResponse | None:
    return db.session.scalar(sa.select(LiveResponse).where(
        LiveResponse.live_question_id == asked.id, LiveResponse.user_id == user_id))


def counts(asked: LiveQuestion) -> tuple[dict[str, int], int]:
    """How many chose each answer, and how many answered (no names, no times)."""
    tally: dict[str, int] = {}
    total = 0
    for (response,) in db.session.execute(
            sa.select(LiveResponse.response).where(LiveResponse.live_question_id == asked.id)):
        total += 1
        for key in response or ():
            tally[key] = tally.get(key, 0) + 1
    return tally, total


# ---- after the class -------------------------------------------------------------------------

@dataclass
class Summary:
    present: list[User]
    absent: list[User]
    questions: list[dict]
    need_help: list[tuple[User, str]]


def summary(live: LiveSession) -> Summary:
    people = room(live)
    present = [p for p, here in people if here]
    absent = [p for p, here in people if not here]
    asked = db.session.scalars(sa.select(LiveQuestion).where(LiveQuestion.live_session_id == live.id)
                               .order_by(LiveQuestion.id)).all()
    wrong: dict[int, int] = {}
    questions = []
    for item in asked:
        tally, total = counts(item)
        right = 0
        for user_id, correct in db.session.execute(sa.select(LiveResponse.user_id, LiveResponse.correct)
                                                   .where(LiveResponse.live_question_id == item.id)):
            if correct:
                right += 1
            else:
                wrong[user_id] = wrong.get(user_id, 0) + 1
        questions.append({"asked": item, "options": options(item.question), "tally": tally, "total": total,
                          "right": right, "answer": list(item.question.answer or ())})
    need_help: list[tuple[User, str]] = [(p, "absent") for p in absent]
    threshold = 2 if len(asked) >= 3 else 1
    need_help += [(p, "wrong") for p in present if wrong.get(p.id, 0) >= threshold]
    return Summary(present, absent, questions, need_help)
