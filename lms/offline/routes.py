"""Thin views: the service worker and manifest, what to keep, the offline check and its answers."""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import abort, current_app, jsonify, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from lms.accounts.principal import current_account
from lms.errors import render_error
from lms.extensions import db
from lms.offline import bp
from lms.offline.services import (
    account_key, check_or_none, enrolled_courses, pages_to_keep, receive_queued_answer,
)
from lms.quizzes.services import QuizError, choice_order_for, question_type

# Pages a phone may keep for the person signed in: lessons and course pages (content, and the
# reader's own done-marks) and the offline check. Never a staff page, never another person's data.
KEEPABLE = frozenset({"courses.lesson", "courses.course", "offline.check", "offline.fallback"})
ICON_SIZES = ("192", "512")


def _messages(code: str) -> tuple[int, str]:
    return {
        "online_only": (403, _("Bài kiểm tra cuối khoá chỉ làm được khi có mạng.")),
        "bad_client_id": (422, _("Câu trả lời gửi lên thiếu mã nhận diện. Hãy trả lời lại câu này.")),
        "wrong_question": (422, _("Câu hỏi này không còn trong bài kiểm tra. Hãy mở lại bài kiểm tra khi có mạng.")),
        "bad_choice": (422, _("Hãy chọn một trong các câu trả lời có sẵn.")),
        "empty": (404, _("Bài kiểm tra này chưa có câu hỏi.")),
        "not_yours": (404, _("Không tìm thấy bài làm này.")),
        # Handed in or changed meanwhile on another phone: the queue keeps it and sends it again.
        "submitted": (409, _("Bài kiểm tra vừa thay đổi trên một thiết bị khác. Câu trả lời sẽ được gửi lại sau.")),
        "busy": (409, _("Bài kiểm tra vừa thay đổi trên một thiết bị khác. Câu trả lời sẽ được gửi lại sau.")),
    }.get(code, (422, _("Chưa ghi được câu trả lời này.")))


@bp.after_app_request
def mark_for_offline(response):
    """Tell the service worker whose page this is, and whether a phone may keep it."""
    if response.mimetype != "text/html":
        return response
    signed_in = current_user.is_authenticated
    response.headers["X-Offline-Account"] = account_key(current_user.id if signed_in else None)
    if signed_in and response.status_code == 200 and request.method == "GET" and request.endpoint in KEEPABLE:
        response.headers["X-Offline-Keep"] = "1"
    return response


@bp.route("/sw.js")
def service_worker():
    """Served from the root so that it may look after every page of the site."""
    response = send_from_directory(Path(current_app.static_folder) / "js", "sw.js", max_age=0)
    response.headers["Cache-Control"] = "no-cache"  # a new version reaches phones on their next visit
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/manifest.webmanifest")
def manifest():
    icons = [{"src": url_for("static", filename=f"icons/icon-{size}.png"), "sizes": f"{size}x{size}",
              "type": "image/png", "purpose": "any"} for size in ICON_SIZES]
    icons.append({"src": url_for("static", filename="favicon.svg"), "sizes": "any", "type": "image/svg+xml"})
    body = {
        "name": "Lớp Số — Bình dân học vụ số", "short_name": "Lớp Số", "lang": "vi", "dir": "ltr",
        "description": "Học kỹ năng số: bài học ngắn, đọc được cả khi mất mạng.",
        "start_url": "/", "scope": "/", "display": "standalone",
        "background_color": "#fffdf8", "theme_color": "#0b5c8a", "icons": icons,
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/offline/")
@login_required
def fallback():
    """What a phone shows, without signal, for a page it did not keep."""
    return render_template("offline/fallback.html", courses=enrolled_courses(current_user.id))


@bp.route("/offline/state")
def state():
    """Who is signed in (as the phone's key for them) and a fresh CSRF token, to send a queue."""
    signed_in = current_user.is_authenticated
    response = jsonify(account=account_key(current_user.id) if signed_in else None,
                       csrf=generate_csrf() if signed_in else None)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/offline/pages")
@login_required
def pages():
    response = jsonify(pages_to_keep(current_user.id))
    response.headers["Cache-Control"] = "no-store"
    return response


def _check_or_404(quiz_id: int):
    quiz = check_or_none(quiz_id)
    if quiz is None:
        abort(404)  # a final quiz has no offline page: it is answered online only
    return quiz


@bp.route("/offline/checks/<int:quiz_id>")
@login_required
def check(quiz_id: int):
    """A lesson's check on one page, answerable without signal; the server grades what is sent."""
    quiz = _check_or_404(quiz_id)
    questions = []
    for question in quiz.active_questions:
        qtype = question_type(question)
        order = choice_order_for(current_user.id, question) if qtype.has_choices else None
        questions.append((question, qtype, qtype.shown_choices(question, order)))
    return render_template("offline/check.html", quiz=quiz, questions=questions)


@bp.route("/offline/checks/<int:quiz_id>/answers", methods=["POST"])
@login_required
def answer(quiz_id: int):
    """One queued answer: JSON from the phone's queue, or the page's plain form without script."""
    quiz = check_or_none(quiz_id)
    as_json = request.is_json
    data = (request.get_json(silent=True) if as_json else request.form) or {}
    if not isinstance(data, dict) and as_json:
        data = {}
    choices = data.get("choices") if as_json else request.form.getlist("choice")
    try:
        question_id = int(data.get("question_id") or "")
    except (TypeError, ValueError):
        question_id = -1
    if quiz is None:
        status, message = (404, _("Không tìm thấy bài kiểm tra này."))
        return (jsonify(error=message), status) if as_json else abort(404)
    client_id = str(data.get("client_id") or "") if as_json else _form_client_id()
    if not isinstance(choices, list):
        choices = []
    try:
        received = receive_queued_answer(current_account(), quiz, client_id, question_id,
                                         [str(c) for c in choices])
    except QuizError as exc:
        db.session.rollback()
        status, message = _messages(exc.code)
        if as_json:
            return jsonify(error=message), status
        return render_error(status, _("Chưa ghi được câu trả lời"), message)
    db.session.commit()
    attempt = received.attempt
    result_url = url_for("quizzes.result", attempt_id=attempt.id) if received.finished else None
    if not as_json:
        return redirect(result_url or url_for("offline.check", quiz_id=quiz.id, _anchor=f"q-{question_id}"))
    return jsonify(
        question_id=question_id, again=received.again, correct=received.answer.correct,
        finished=received.finished, result_url=result_url,
        right=attempt.correct_count if received.finished else None,
        total=attempt.question_count,
    )


def _form_client_id() -> str:
    """A plain form (no script) has no queue: each post is its own answer."""
    return request.form.get("client_id") or secrets.token_hex(16)
