"""Thin views of the live final assessment (lms.live.assessment): send its questions one by one,
see each learner's score, and confirm in one step which certificates to issue.

Permission: lms.live.access — live_or_404 (an instructor of another cohort, another ward: 404),
may_attest for issuing (the cohort's own instructors only)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.errors import render_error
from lms.extensions import db
from lms.live import assessment, bp, services
from lms.live.access import live_or_404, may_attest
from lms.live.routes import STAFF, refused
from lms.web import database_id, role_required


def _final_or_404(live, quiz_id: int):
    quiz = assessment.final_quiz_of(live, quiz_id)
    if quiz is None:
        abort(404)
    return quiz


@bp.route("/live/<int:live_id>/final/<int:quiz_id>/next", methods=["POST"])
@role_required(*STAFF)
def final_next(live_id: int, quiz_id: int):
    """Send the final quiz's next question to the phones."""
    live = live_or_404(live_id)
    quiz = _final_or_404(live, quiz_id)
    try:
        assessment.send_next(live, quiz)
    except services.LiveError as error:
        return refused(error.code)
    db.session.commit()
    return redirect(url_for("live.control", live_id=live.id) + "#question")


def _confirm_messages() -> dict[str, tuple[int, str]]:
    return {
        "final_unfinished": (409, _("Bài kiểm tra chưa xong: hãy gửi hết các câu hỏi và đóng câu đang mở "
                                    "trước khi cấp chứng nhận.")),
        "final_not_member": (422, _("Có người được chọn không có tên trong lớp này. Không cấp chứng nhận nào.")),
        "final_not_passed": (422, _("Chỉ cấp chứng nhận cho người đã đạt. Chưa đạt: %(names)s. "
                                    "Không cấp chứng nhận nào.")),
    }


def _ticked_ids() -> list[int] | None:
    ids = []
    for value in request.form.getlist("user_id"):
        try:
            ids.append(database_id(value))
        except (TypeError, ValueError):
            return None
    return ids


def _results_page(live, quiz, *, error: str | None = None, status: int = 200):
    return render_template("live/final.html", live=live, quiz=quiz, course=quiz.course,
                           progress=assessment.progress(live, quiz), results=assessment.results(live, quiz),
                           can_attest=may_attest(live), error=error), status


@bp.route("/live/<int:live_id>/final/<int:quiz_id>", methods=["GET", "POST"])
@role_required(*STAFF)
def final_results(live_id: int, quiz_id: int):
    """Each learner's score and passed or not; the instructor ticks whom to certify (one POST)."""
    live = live_or_404(live_id)
    quiz = _final_or_404(live, quiz_id)
    if request.method == "GET":
        return _results_page(live, quiz)
    if not may_attest(live):
        return render_error(403, _("Chưa làm được"),
                            _("Chỉ giảng viên của lớp mới xác nhận cấp chứng nhận sau bài kiểm tra."))
    ids = _ticked_ids()
    if ids is None:
        ids = [0]  # a tampered value: refused below as someone not in the class
    if not ids:
        flash(_("Chưa chọn ai: không cấp chứng nhận nào."), "info")
        return redirect(url_for("live.final_results", live_id=live.id, quiz_id=quiz.id))
    try:
        issued, held = assessment.confirm(live, quiz, current_user, ids)
    except assessment.ConfirmError as error:
        db.session.rollback()
        status, message = _confirm_messages().get(
            error.code, (422, _("Không cấp được chứng nhận. Không cấp chứng nhận nào.")))
        if error.names:
            message = message % {"names": ", ".join(error.names)}
        return _results_page(live, quiz, error=message, status=status)
    db.session.commit()
    if issued:
        flash(_("Đã cấp %(num)d chứng nhận: %(names)s.", num=len(issued),
                names=", ".join(p.full_name for p in issued)), "success")
    if held:
        flash(_("Đã có chứng nhận từ trước, không cấp thêm: %(names)s.",
                names=", ".join(p.full_name for p in held)), "info")
    return redirect(url_for("live.final_results", live_id=live.id, quiz_id=quiz.id))
