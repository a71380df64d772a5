"""A course's final quiz run live in the hall, and the certificates it earns.

How it runs: one question at a time, through the live-question flow (lms.live.questions: send,
close, reveal; phones answer with the big buttons; the instructor answers for someone without a
phone). Not the whole quiz on the phones at once, because that flow already gives what a hall
needs and a quiz page does not: the question is on the projector and read aloud at the room's
pace, people without a phone answer through the instructor, a phone that loses signal comes
back to the current question, and every answer is graded on the server and kept once
(LiveResponse). It also keeps the live pass apart from the online quiz: no QuizAttempt is made,
so an online attempt is not used up and the online earning rule is not touched.

Scoring: each person's first answer to each active question of the final quiz, graded when it
was given; a question not answered (or not sent) counts as wrong; passed with the final quiz's
own pass mark (lms.quizzes.services.final_quiz_passes), and only by someone marked present at
this session: it is an in-person assessment.

Certificates: the cohort's instructor confirms in one step which of those who passed are issued
one, through lms.certificates.services.attest_in_person (in person, assessed live, today in
Vietnam); a certificate already held is never issued again.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.certificates.services import CertificateError, attest_in_person
from lms.cohorts.models import Attendance
from lms.cohorts.schedule import vietnam_today
from lms.extensions import db
from lms.live.models import LiveQuestion, LiveResponse, LiveSession
from lms.live.questions import current, open_question
from lms.live.services import LiveError, room
from lms.quizzes.models import Question, Quiz
from lms.quizzes.services import final_quiz_for, final_quiz_passes


def final_quizzes(live: LiveSession) -> list[Quiz]:
    """The final quizzes of the cohort's courses that have questions, in the cohort's course order."""
    quizzes = []
    for course in live.cohort.courses:
        quiz = final_quiz_for(course.id)
        if quiz is not None and quiz.active_questions:
            quizzes.append(quiz)
    return quizzes


def final_quiz_of(live: LiveSession, quiz_id: int) -> Quiz | None:
    """A final quiz this live class may run: one of its cohort's courses', else None."""
    return next((quiz for quiz in final_quizzes(live) if quiz.id == quiz_id), None)


def _asked(live: LiveSession, quiz: Quiz) -> list[LiveQuestion]:
    return list(db.session.scalars(
        sa.select(LiveQuestion).join(Question, Question.id == LiveQuestion.question_id)
        .where(LiveQuestion.live_session_id == live.id, Question.quiz_id == quiz.id)
        .order_by(LiveQuestion.id)))


@dataclass
class Progress:
    sent: int  # active questions sent at least once
    total: int  # active questions of the quiz
    next_question: Question | None  # the next one to send, in the quiz's order
    open: bool  # one of its questions is open on the phones now

    @property
    def finished(self) -> bool:
        return self.sent >= self.total and not self.open


def progress(live: LiveSession, quiz: Quiz) -> Progress:
    questions = quiz.active_questions
    asked = _asked(live, quiz)
    sent_ids = {a.question_id for a in asked}
    now = current(live)
    is_open = now is not None and now.state == "open" and now.question_id in {q.id for q in questions}
    return Progress(sent=sum(1 for q in questions if q.id in sent_ids), total=len(questions),
                    next_question=next((q for q in questions if q.id not in sent_ids), None), open=is_open)


def send_next(live: LiveSession, quiz: Quiz) -> LiveQuestion:
    """Send the final quiz's next question not yet sent in this class (in the quiz file's order)."""
    nxt = progress(live, quiz).next_question
    if nxt is None:
        raise LiveError("final_all_sent")
    return open_question(live, nxt.id)


@dataclass
class Result:
    user: User
    present: bool
    correct: int
    total: int
    passed: bool
    certificate: object | None  # the certificate they already hold for the course, if any

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 0


def results(live: LiveSession, quiz: Quiz) -> list[Result]:
    """Every living member of the cohort, in Vietnamese name order, with their score on this quiz."""
    question_ids = {q.id for q in quiz.active_questions}
    total = len(question_ids)
    # First answer of each person to each question (a question sent twice counts once).
    first: dict[tuple[int, int], bool] = {}
    for user_id, question_id, correct in db.session.execute(
            sa.select(LiveResponse.user_id, LiveQuestion.question_id, LiveResponse.correct)
            .join(LiveQuestion, LiveQuestion.id == LiveResponse.live_question_id)
            .where(LiveQuestion.live_session_id == live.id, LiveQuestion.question_id.in_(question_ids))
            .order_by(LiveQuestion.id, LiveResponse.id)):
        first.setdefault((user_id, question_id), bool(correct))
    present = set(db.session.scalars(
        sa.select(Attendance.user_id).where(Attendance.class_session_id == live.class_session_id)))
    people = [person for person, _here in room(live)]
    held = {c.user_id: c for c in db.session.scalars(sa.select(Certificate).where(
        Certificate.course_id == quiz.course_id, Certificate.user_id.in_([p.id for p in people])))}
    out = []
    for person in people:
        correct = sum(1 for qid in question_ids if first.get((person.id, qid)))
        here = person.id in present
        out.append(Result(user=person, present=here, correct=correct, total=total,
                          passed=here and final_quiz_passes(quiz, correct, total),
                          certificate=held.get(person.id)))
    return out


class ConfirmError(Exception):
    """The confirmation was refused as a whole; `code` names why, `names` whom."""

    def __init__(self, code: str, names: list[str] | None = None):
        super().__init__(code)
        self.code = code
        self.names = names or []


def confirm(live: LiveSession, quiz: Quiz, by, user_ids: list[int]) -> tuple[list[User], list[User]]:
    """Issue the in-person certificates of the ticked learners: (newly issued, already held).

    Checked first, all or nothing: the quiz must be over (every question sent, none open), and
    each ticked person must be a member who passed; then every certificate in one transaction
    (the caller commits). A person already certified is not issued again."""
    if not progress(live, quiz).finished:
        raise ConfirmError("final_unfinished")
    by_id = {r.user.id: r for r in results(live, quiz)}
    wanted = list(dict.fromkeys(user_ids))
    strangers = [uid for uid in wanted if uid not in by_id]
    if strangers:
        raise ConfirmError("final_not_member")
    failed = [by_id[uid].user.full_name for uid in wanted if not by_id[uid].passed]
    if failed:
        raise ConfirmError("final_not_passed", failed)
    issued, held = [], []
    course = quiz.course
    today = vietnam_today()
    for uid in wanted:
        person = by_id[uid].user
        try:
            outcome = attest_in_person(by, live.cohort, person, course, today, "live")
        except CertificateError as error:
            raise ConfirmError(f"certificate_{error.code}") from error
        (issued if outcome.created else held).append(person)
    return issued, held
