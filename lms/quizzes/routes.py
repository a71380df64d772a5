"""Thin views for taking a quiz one question per page; htmx only swaps the feedback in place."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts.principal import current_account
from lms.courses.models import Lesson
from lms.errors import render_error
from lms.extensions import db, htmx
from lms.quizzes import bp
from lms.quizzes.models import QuizAttempt
from lms.quizzes.services import (
    QuizError, answer_question, answers_by_question, attempt_questions, attempts_left, attempts_of,
    check_quiz_for, has_passed, lessons_left, open_attempt, ordered_choices, quiz_or_none, start_attempt, submit_attempt,
)


def _messages(code: str) -> tuple[int, str]:
    return {
        "no_attempts_left": (403, _("Bạn đã dùng hết số lần làm bài kiểm tra này. Hãy hỏi giảng viên để được hướng dẫn thêm.")),
        "already_passed": (409, _("Bạn đã đạt bài kiểm tra này rồi.")),
        "submitted": (409, _("Bài làm này đã nộp, không sửa được nữa.")),
        "wrong_question": (422, _("Câu hỏi này không thuộc bài kiểm tra bạn đang làm.")),
        "bad_choice": (422, _("Hãy chọn một trong các câu trả lời có sẵn.")),
        "empty": (404, _("Bài kiểm tra này chưa có câu hỏi.")),
        "not_yours": (404, _("Không tìm thấy bài làm này.")),
        "lessons_first": (403, _("Hãy học xong các bài của khoá rồi mới làm bài kiểm tra cuối khoá.")),
        "busy": (409, _("Bài kiểm tra vừa thay đổi trên một thiết bị khác. Hãy tải lại trang rồi thử lại.")),
    }[code]


def _quiz_or_404(quiz_id: int):
    quiz = quiz_or_none(quiz_id)
    if quiz is None:
        abort(404)
    return quiz


def _attempt_or_404(attempt_id: int) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)  # someone else's attempt is not found, not forbidden: ids reveal nothing
    return attempt


@bp.route("/<int:quiz_id>/")
@login_required
def show(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    return render_template(
        "quizzes/show.html", quiz=quiz, attempts=[a for a in attempts_of(current_user.id, quiz) if a.submitted_at],
        current=open_attempt(current_user.id, quiz), left=attempts_left(current_user.id, quiz),
        passed=has_passed(current_user.id, quiz), lessons_left=lessons_left(current_user.id, quiz),
    )


@bp.route("/<int:quiz_id>/start", methods=["POST"])
@login_required
def start(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    try:
        attempt = start_attempt(current_user, quiz)
    except QuizError as exc:
        db.session.rollback()
        if exc.code == "lessons_first":
            return redirect(url_for("quizzes.show", quiz_id=quiz.id))  # the page lists what is left
        status, message = _messages(exc.code)
        return render_error(status, _("Chưa làm được bài kiểm tra"), message)
    db.session.commit()
    answered = answers_by_question(attempt)
    first_open = next((i for i, qid in enumerate(attempt.question_order, 1) if qid not in answered), 1)
    return redirect(url_for("quizzes.question", attempt_id=attempt.id, number=first_open))


@bp.route("/after-lesson/<int:lesson_id>")
@login_required
def after_lesson(lesson_id: int):
    """Where "I have finished this lesson" leads: its check, or straight on."""
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or lesson.retired_at is not None:
        abort(404)
    quiz = check_quiz_for(lesson.id)
    if quiz is None:
        return redirect(url_for("courses.course", slug=lesson.course.slug))
    return redirect(url_for("quizzes.show", quiz_id=quiz.id))


def _question_context(attempt: QuizAttempt, number: int):
    questions = attempt_questions(attempt)
    if not 1 <= number <= len(questions):
        abort(404)
    question = questions[number - 1]
    return {
        "attempt": attempt, "quiz": attempt.quiz, "question": question, "number": number,
        "total": len(questions), "choices": ordered_choices(attempt, question),
        "answer": answers_by_question(attempt).get(question.id),
    }


@bp.route("/attempts/<int:attempt_id>/<int:number>", methods=["GET", "POST"])
@login_required
def question(attempt_id: int, number: int):
    attempt = _attempt_or_404(attempt_id)
    context = _question_context(attempt, number)
    if request.method == "GET":
        if attempt.submitted_at is not None:
            return redirect(url_for("quizzes.result", attempt_id=attempt.id))
        return render_template("quizzes/question.html", **context)
    try:
        question_id = int(request.form.get("question_id", ""))
    except ValueError:
        question_id = -1
    try:
        answer = answer_question(current_user, attempt, question_id, request.form.getlist("choice"))
    except QuizError as exc:
        db.session.rollback()
        status, message = _messages(exc.code)
        if exc.code == "submitted":
            return redirect(url_for("quizzes.result", attempt_id=attempt.id))
        template = "quizzes/_question.html" if htmx else "quizzes/question.html"
        return render_template(template, error=message, **context), status
    db.session.commit()
    context["answer"] = answer
    if attempt.quiz.kind == "check":
        context["just_answered"] = True
        template = "quizzes/_question.html" if htmx else "quizzes/question.html"
        return render_template(template, **context)
    if number < context["total"]:
        return redirect(url_for("quizzes.question", attempt_id=attempt.id, number=number + 1))
    return redirect(url_for("quizzes.review", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/review")
@login_required
def review(attempt_id: int):
    attempt = _attempt_or_404(attempt_id)
    if attempt.submitted_at is not None:
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    return render_template("quizzes/review.html", attempt=attempt, quiz=attempt.quiz,
                           questions=attempt_questions(attempt), answers=answers_by_question(attempt))


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@login_required
def submit(attempt_id: int):
    attempt = _attempt_or_404(attempt_id)
    if attempt.submitted_at is None and attempt.quiz.kind == "final" and request.form.get("confirm") != "1":
        answered = answers_by_question(attempt)
        missing = [n for n, qid in enumerate(attempt.question_order, 1) if qid not in answered]
        if missing:  # nothing is scored until the learner confirms
            return render_template("quizzes/confirm_submit.html", attempt=attempt, quiz=attempt.quiz, missing=missing)
    submit_attempt(current_account(), attempt)  # finishing may issue a certificate: the whole account
    db.session.commit()
    return redirect(url_for("quizzes.result", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    attempt = _attempt_or_404(attempt_id)
    if attempt.submitted_at is None:
        return redirect(url_for("quizzes.review", attempt_id=attempt.id))
    quiz = attempt.quiz
    left = attempts_left(current_user.id, quiz)
    # Explanations of a final quiz only once it is passed or no tries are left, so that answer
    # keys do not travel between attempts.
    show_answers = quiz.kind == "check" or bool(attempt.passed) or left == 0
    next_lesson = None
    if quiz.lesson is not None:
        lessons = quiz.course.active_lessons
        later = [lesson for lesson in lessons if lesson.position > quiz.lesson.position]
        next_lesson = later[0] if later else None
    return render_template(
        "quizzes/result.html", attempt=attempt, quiz=quiz, left=left, show_answers=show_answers,
        questions=attempt_questions(attempt), answers=answers_by_question(attempt), next_lesson=next_lesson,
    )


@bp.app_template_global("question_type")
def question_type_template(question):
    """The question's type (lms.content.question_types): its template draws the question."""
    from lms.quizzes.services import question_type

    return question_type(question)


@bp.app_template_global("right_choices")
def right_choices_template(question):
    """The right answer of a question, for pages that may show it (after a check's answer, a review)."""
    from lms.quizzes.services import right_choices

    return right_choices(question)


@bp.app_template_global("response_choices")
def response_choices_template(question, response):
    from lms.quizzes.services import response_choices

    return response_choices(question, response)


@bp.app_template_global("plain_explanation")
def plain_explanation_template(question):
    from lms.quizzes.services import plain_explanation

    return plain_explanation(question)


@bp.app_template_global("check_quiz_for")
def check_quiz_for_template(lesson):
    """Lets the lesson page offer its check only when there is one, without courses importing quizzes."""
    return check_quiz_for(lesson.id)


@bp.app_template_global("final_quiz_for")
def final_quiz_for_template(course):
    """Lets course pages link their final quiz without courses importing quizzes."""
    from lms.quizzes.services import final_quiz_for

    return final_quiz_for(course.id)
