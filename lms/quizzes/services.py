"""Taking quizzes: start or resume an attempt, answer, submit; scoring only ever on the server."""
from __future__ import annotations

import hashlib
import hmac
import random
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from lms.content.question_types import QuestionType, get_question_type
from lms.courses.models import Lesson, LessonProgress
from lms.extensions import db
from lms.quizzes.models import Answer, Question, Quiz, QuizAttempt, QuizTryGrant
from lms.signals import course_progress_changed
from lms.timeutil import utcnow


class QuizError(Exception):
    """A rule of taking quizzes was broken; `code` names which, for the view's message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def quiz_or_none(quiz_id: int) -> Quiz | None:
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None or quiz.retired_at is not None or quiz.course.retired_at is not None:
        return None
    return quiz


def attempts_of(user_id: int, quiz: Quiz) -> list[QuizAttempt]:
    return list(db.session.scalars(
        sa.select(QuizAttempt).where(QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz.id)
        .order_by(QuizAttempt.number)))


def attempts_left(user_id: int, quiz: Quiz) -> int | None:
    """None when the quiz has no limit (the checks after lessons); staff's extra tries count."""
    if not quiz.max_attempts:
        return None
    used = sum(1 for a in attempts_of(user_id, quiz) if a.submitted_at is not None)
    return max(quiz.max_attempts + extra_tries(user_id, quiz) - used, 0)


def extra_tries(user_id: int, quiz: Quiz) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(QuizTryGrant).where(
        QuizTryGrant.user_id == user_id, QuizTryGrant.quiz_id == quiz.id)) or 0


def locked_out(user_ids, quizzes) -> list[tuple[int, Quiz, int]]:
    """(learner id, final quiz, tries used) for each learner out of tries without having passed.

    Two grouped queries whatever the class size: tries handed in and passes, then extra tries.
    """
    user_ids = list(user_ids)
    quizzes = [q for q in quizzes if q.kind == "final" and q.max_attempts]
    if not user_ids or not quizzes:
        return []
    by_id = {q.id: q for q in quizzes}
    passed = sa.func.max(sa.case((QuizAttempt.passed.is_(True), 1), else_=0))
    used_rows = db.session.execute(
        sa.select(QuizAttempt.user_id, QuizAttempt.quiz_id, sa.func.count(), passed)
        .where(QuizAttempt.quiz_id.in_(by_id), QuizAttempt.user_id.in_(user_ids), QuizAttempt.submitted_at.is_not(None))
        .group_by(QuizAttempt.user_id, QuizAttempt.quiz_id)).all()
    extra = dict(((u, q), n) for u, q, n in db.session.execute(
        sa.select(QuizTryGrant.user_id, QuizTryGrant.quiz_id, sa.func.count())
        .where(QuizTryGrant.quiz_id.in_(by_id), QuizTryGrant.user_id.in_(user_ids))
        .group_by(QuizTryGrant.user_id, QuizTryGrant.quiz_id)).all())
    out = []
    for user_id, quiz_id, used, has_pass in used_rows:
        quiz = by_id[quiz_id]
        if not has_pass and used >= quiz.max_attempts + extra.get((user_id, quiz_id), 0):
            out.append((user_id, quiz, used))
    return out


def grant_extra_try(user_id: int, quiz: Quiz, *, by, cohort_id: int | None = None) -> QuizTryGrant:
    """Give one more try to a learner who used all tries of a final quiz and has not passed.

    Refused (`not_locked_out`) when they still have a try or have passed, so granting twice for
    one lock-out, by a double tap or by two staff at once, gives exactly one more try.
    """
    if quiz.kind != "final" or not quiz.max_attempts:
        raise QuizError("not_locked_out")
    if has_passed(user_id, quiz) or attempts_left(user_id, quiz) != 0:
        raise QuizError("not_locked_out")
    if open_attempt(user_id, quiz) is not None:
        raise QuizError("not_locked_out")
    used = sum(1 for a in attempts_of(user_id, quiz) if a.submitted_at is not None)
    try:
        with db.session.begin_nested():
            grant = QuizTryGrant(user_id=user_id, quiz_id=quiz.id, cohort_id=cohort_id,
                                 granted_by_id=getattr(by, "id", None), after_attempts=used)
            db.session.add(grant)
    except IntegrityError:
        raise QuizError("not_locked_out") from None  # the other request gave it
    return grant


def open_attempt(user_id: int, quiz: Quiz) -> QuizAttempt | None:
    return next((a for a in attempts_of(user_id, quiz) if a.submitted_at is None), None)


def lessons_left(user_id: int, quiz: Quiz) -> list[Lesson]:
    """The course's lessons still to read before its final quiz opens (none when the course allows)."""
    if quiz.kind != "final" or not quiz.course.final_quiz_after_lessons:
        return []
    read = set(db.session.scalars(sa.select(LessonProgress.lesson_id).where(
        LessonProgress.user_id == user_id, LessonProgress.completed_at.is_not(None))))
    return [lesson for lesson in quiz.course.active_lessons if lesson.id not in read]


def has_passed(user_id: int, quiz: Quiz) -> bool:
    return any(a.passed for a in attempts_of(user_id, quiz))


def start_attempt(user, quiz: Quiz, *, _retry: bool = True) -> QuizAttempt:
    """Resume the open attempt, or start a new one with questions and choices shuffled once."""
    current = open_attempt(user.id, quiz)
    if current is not None:
        return current
    if quiz.kind == "final" and has_passed(user.id, quiz):
        raise QuizError("already_passed")
    if lessons_left(user.id, quiz):
        raise QuizError("lessons_first")
    left = attempts_left(user.id, quiz)
    if left == 0:
        raise QuizError("no_attempts_left")
    questions = quiz.active_questions
    if not questions:
        raise QuizError("empty")
    rng = random.Random(secrets.randbits(64))
    order = [q.id for q in questions]
    rng.shuffle(order)
    choice_order = {str(q.id): choice_order_for(user.id, q) for q in questions if question_type(q).has_choices}
    number = max((a.number for a in attempts_of(user.id, quiz)), default=0) + 1
    try:
        with db.session.begin_nested():
            attempt = QuizAttempt(user_id=user.id, quiz_id=quiz.id, number=number, question_order=order,
                                  choice_order=choice_order, question_count=len(order))
            db.session.add(attempt)
    except IntegrityError:
        # Two taps or two phones raced (uq_quiz_attempt_user_quiz_number, uq_quiz_attempt_open):
        # the other request's attempt is the one in progress. Gone already (handed in between):
        # decide again from what is stored now.
        current = open_attempt(user.id, quiz)
        if current is None and _retry:
            return start_attempt(user, quiz, _retry=False)
        if current is None:
            raise QuizError("busy") from None
        return current
    return attempt


def attempt_questions(attempt: QuizAttempt) -> list[Question]:
    """The attempt's questions in its own shuffled order."""
    by_id = {q.id: q for q in db.session.scalars(sa.select(Question).where(Question.id.in_(attempt.question_order)))}
    return [by_id[qid] for qid in attempt.question_order if qid in by_id]


def question_type(question: Question) -> QuestionType:
    return get_question_type(question.type)


def choice_order_for(user_id: int, question: Question) -> list[str]:
    """The question's choice ids shuffled for this person: the same every time they see it.

    The order is a keyed hash of (person, question, choice), so a reload, a resumed attempt or
    the next try shows the same order, another person a different one, and nobody can work it
    out from the ids without the app's secret key.
    """
    secret = str(current_app.secret_key or "").encode()
    keys = [str(c["key"]) for c in question.choices]

    def rank(key: str) -> bytes:
        return hmac.new(secret, f"choices:{user_id}:{question.id}:{key}".encode(), hashlib.sha256).digest()

    return sorted(keys, key=rank)


def ordered_choices(attempt: QuizAttempt, question: Question) -> list[dict]:
    """The choices in the order this attempt shows them (stored when it started)."""
    order = (attempt.choice_order or {}).get(str(question.id)) or choice_order_for(attempt.user_id, question)
    return question_type(question).shown_choices(question, order)


_VERDICT_WORDS = ("đúng", "sai", "true", "false", "right", "wrong")


def plain_explanation(question: Question) -> dict:
    """The explanation without a leading "Đúng."/"Sai." on a true/false question.

    Authors often open a true/false explanation with the statement's verdict ("Sai. AI không…"),
    which after "✔ Đúng rồi!" reads as a contradiction; the page says the verdict in its own words.
    """
    explanation = dict(question.explanation or {})
    if question.type != "true_false":
        return explanation
    cleaned = {}
    for lang, text in explanation.items():
        text = str(text or "")
        head, sep, rest = text.partition(".")
        if sep and head.strip().lower() in _VERDICT_WORDS and rest.strip():
            text = rest.strip()
        cleaned[lang] = text
    return cleaned


def right_choices(question: Question) -> list[dict]:
    """What to show as the right answer once it may be shown: choices, or "true"/"false"."""
    return response_choices(question, question.answer)


def response_choices(question: Question, response) -> list[dict]:
    """The choices a response names (or {"key": "true"/"false"}), in the question's own order."""
    keys = [str(k) for k in response or ()]
    if question.type == "true_false":
        return [{"key": k} for k in keys]
    return [c for c in question.choices or () if str(c.get("key")) in keys]


def answers_by_question(attempt: QuizAttempt) -> dict[int, Answer]:
    return {a.question_id: a for a in attempt.answers}


def answer_question(user, attempt: QuizAttempt, question_id: int, response: list[str]) -> Answer:
    """Record (or, before submitting a final quiz, change) one answer; graded here, never in the page."""
    if attempt.user_id != user.id:
        raise QuizError("not_yours")
    if attempt.submitted_at is not None:
        raise QuizError("submitted")
    if question_id not in attempt.question_order:
        raise QuizError("wrong_question")
    question = db.session.get(Question, question_id)
    qtype = get_question_type(question.type) if question is not None else None
    parsed = qtype.parse(question, response) if qtype is not None else None
    if parsed is None:
        raise QuizError("bad_choice")
    if not _hold_open(attempt):
        raise QuizError("submitted")  # handed in by another tap or phone meanwhile
    response = parsed
    correct = qtype.grade(question, parsed)  # from the stored row: the page never says what is right
    existing = db.session.scalar(sa.select(Answer).where(
        Answer.attempt_id == attempt.id, Answer.question_id == question_id))
    if existing is not None:
        if attempt.quiz.kind == "check":
            return existing  # a check gives feedback at once, so its first answer stands
        existing.response, existing.correct, existing.answered_at = list(response), correct, utcnow()
        db.session.flush()
        return existing
    try:
        with db.session.begin_nested():
            answer = Answer(attempt_id=attempt.id, question_id=question_id, response=list(response), correct=correct)
            db.session.add(answer)
    except IntegrityError:
        answer = db.session.scalar(sa.select(Answer).where(
            Answer.attempt_id == attempt.id, Answer.question_id == question_id))
    return answer


def final_quiz_passes(quiz: Quiz, correct: int, count: int) -> bool:
    """The final quiz's pass rule, online or run live in the hall: at least its pass mark (a
    percentage; 100 when none is set) of `count` questions right."""
    return count > 0 and 100 * correct >= (quiz.pass_mark or 100) * count


@dataclass(frozen=True)
class Result:
    attempt: QuizAttempt
    newly_submitted: bool


def _hold_open(attempt: QuizAttempt) -> bool:
    """Lock the attempt's row until the transaction ends, if it is still in progress.

    Answering and handing in both write this row first, so they run one after the other: an
    answer saved before the hand-in is scored, one arriving after it is refused, none is lost.
    PostgreSQL locks the row; SQLite takes its single write lock."""
    table = QuizAttempt.__table__
    return bool(db.session.execute(
        table.update().where(table.c.id == attempt.id, table.c.submitted_at.is_(None))
        .values(number=table.c.number)
    ).rowcount)


def submit_attempt(user, attempt: QuizAttempt) -> Result:
    """Score the attempt once; a resubmitted form or a second tap returns the same result."""
    if attempt.user_id != user.id:
        raise QuizError("not_yours")
    if attempt.submitted_at is not None:
        return Result(attempt, False)
    table = QuizAttempt.__table__
    # Only the first of two racing submits changes the row (the other waits for its row lock,
    # then sees rowcount 0); the answers are read after it, so every answer saved before counts.
    claimed = db.session.execute(
        table.update().where(table.c.id == attempt.id, table.c.submitted_at.is_(None)).values(submitted_at=utcnow())
    ).rowcount
    if not claimed:
        db.session.refresh(attempt)
        return Result(attempt, False)
    answers = {a.question_id: a for a in db.session.scalars(
        sa.select(Answer).where(Answer.attempt_id == attempt.id).execution_options(populate_existing=True))}
    correct = sum(1 for qid in attempt.question_order if answers.get(qid) and answers[qid].correct)
    count = len(attempt.question_order)
    quiz = attempt.quiz
    if quiz.kind == "final":
        passed = final_quiz_passes(quiz, correct, count)
    else:
        passed = correct == count
    db.session.execute(table.update().where(table.c.id == attempt.id).values(correct_count=correct, passed=passed))
    db.session.refresh(attempt)
    course_progress_changed.send(current_app._get_current_object(), user=user, course=quiz.course)
    return Result(attempt, True)


def check_quiz_for(lesson_id: int) -> Quiz | None:
    return db.session.scalar(sa.select(Quiz).where(
        Quiz.lesson_id == lesson_id, Quiz.kind == "check", Quiz.retired_at.is_(None)))


def final_quiz_for(course_id: int) -> Quiz | None:
    return db.session.scalar(sa.select(Quiz).where(
        Quiz.course_id == course_id, Quiz.kind == "final", Quiz.retired_at.is_(None)))
