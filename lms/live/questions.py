"""Questions in a live class: put one on the phones, step it through open → closed → revealed →
done, record each learner's first answer graded on the server, and count the answers."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from lms.live.models import LiveQuestion, LiveResponse, LiveSession
from lms.live.services import LiveError, bump, participant
from lms.quizzes.models import Question, Quiz
from lms.quizzes.services import check_quiz_for, question_type
from lms.timeutil import utcnow


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
