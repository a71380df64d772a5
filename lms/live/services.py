"""A live class: starting it, the projector and its rotating join code, joining and attendance.
Rules first, then one transaction (the views commit). Questions and answers: lms.live.questions;
the instructor's day: lms.live.planning; after the class: lms.live.after_class.

Every function reads and writes the database only, so two processes (or two gunicorn workers)
serving the same class see the same state.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.accounts.collation import sort_by_name
from lms.cohorts.models import Attendance, ClassSession, Enrollment
from lms.courses.models import Lesson
from lms.extensions import db
from lms.live.models import LiveParticipant, LiveSession
from lms.timeutil import utcnow

CODE_SECONDS = 45  # the code on the projector changes this often; the previous one still works
CONNECTED_SECONDS = 20  # a phone seen this recently counts as connected
SEEN_EVERY_SECONDS = 8  # a following phone's "last seen" is written at most this often


class LiveError(Exception):
    """A refused action; `code` names the reason (the views turn it into a message and status)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


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
