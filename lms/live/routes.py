"""Thin views of the live class. Permission: lms.live.access (instructor side) and membership of
the cohort (learner side); rules and writes: lms.live.services (starting, joining), planning,
questions and after_class; following: lms.live.follow."""
from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.cohorts.models import Cohort
from lms.cohorts.schedule import vietnam_today
from lms.errors import render_error
from lms.extensions import db, limiter
from lms.live import after_class, bp, planning, questions, services
from lms.live.access import class_session_or_404, live_or_404, teaching_or_404
from lms.live.forms import ScheduleForm
from lms.live.models import LiveQuestion, LiveSession
from lms.templating import current_lang
from lms.web import database_id, role_required

STAFF = ("instructor", "coordinator", "admin")


def messages() -> dict[str, tuple[int, str]]:
    return {
        "ended": (409, _("Buổi học này đã kết thúc.")),
        "not_member": (403, _("Bạn không có tên trong lớp này nên chưa vào được. Hãy báo giảng viên để được "
                              "thêm vào lớp.")),
        "not_joined": (403, _("Bạn chưa vào lớp này. Hãy quét mã QR trên màn chiếu.")),
        "closed": (409, _("Câu hỏi này đã đóng, câu trả lời không được ghi nhận nữa.")),
        "bad_choice": (422, _("Hãy chọn một câu trả lời.")),
        "not_askable": (422, _("Câu hỏi này không thuộc bài đang học.")),
        "other_screen": (409, _("Một màn chiếu khác đang điều khiển buổi học này. Tải lại trang này để "
                                "điều khiển từ đây.")),
        "final_all_sent": (409, _("Đã gửi hết các câu của bài kiểm tra cuối khoá.")),
        "bad_code": (404, _("Mã không đúng hoặc đã hết hạn. Mã trên màn chiếu đổi sau mỗi 45 giây: hãy quét "
                            "lại hoặc nhập mã đang hiện.")),
    }


def refused(code: str, *, as_json: bool = False):
    db.session.rollback()
    status, message = messages()[code]
    if as_json:
        return jsonify(error=code, message=message), status
    return render_error(status, _("Chưa làm được"), message)


def form_id(name: str) -> int | None:
    try:
        return database_id(request.form.get(name, ""))
    except (TypeError, ValueError):
        return None


# ---- the instructor's day --------------------------------------------------------------------

@bp.route("/hom-nay")
@role_required(*STAFF)
def today():
    from lms.cohorts.services import cohorts_for

    cohorts = [c for c in cohorts_for(current_user) if services_teach_or_manage(c)]
    day = vietnam_today()
    sessions = planning.day_sessions([c.id for c in cohorts], day)
    live = {ls.class_session_id: ls for ls in db.session.scalars(
        db.select(LiveSession).where(LiveSession.class_session_id.in_([s.id for s in sessions])))}
    return render_template("live/today.html", today=day, sessions=sessions, cohorts=cohorts, live=live)


def services_teach_or_manage(cohort: Cohort) -> bool:
    from lms.cohorts.services import teaches

    return teaches(current_user, cohort) or not current_user.has_role("instructor") or \
        current_user.has_role("coordinator", "admin")


@bp.route("/live/cohorts/<int:cohort_id>/schedule", methods=["GET", "POST"])
@role_required(*STAFF)
def schedule(cohort_id: int):
    """Instructors schedule sessions of the cohorts they teach: one, or a weekly series."""
    cohort = teaching_or_404(cohort_id)
    form = ScheduleForm()
    if form.validate_on_submit():
        weekdays = {int(d) for d in form.weekdays.data or ()}
        count = form.count.data or 1
        if weekdays:
            added = planning.add_series(cohort, first=form.day.data, weekdays=weekdays, count=count,
                                        starts_at=form.starts_at.data, place=form.place.data)
        else:
            added = planning.add_series(cohort, first=form.day.data, weekdays={form.day.data.weekday()},
                                        count=1, starts_at=form.starts_at.data, place=form.place.data)
        db.session.commit()
        flash(_("Đã thêm %(num)d buổi học vào lịch.", num=len(added)), "success")
        return redirect(url_for("live.today"))
    status = 422 if form.is_submitted() else 200
    return render_template("live/schedule.html", cohort=cohort, form=form), status


# ---- starting and running ----------------------------------------------------------------------

@bp.route("/live/sessions/<int:session_id>/start", methods=["GET", "POST"])
@role_required(*STAFF)
def start(session_id: int):
    class_session = class_session_or_404(session_id)
    cohort = class_session.cohort
    lessons = planning.lessons_for(cohort)
    if request.method == "POST":
        lesson_id = form_id("lesson_id")
        lesson = next((lesson for lesson in lessons if lesson.id == lesson_id), None)
        if lesson_id is not None and lesson is None:
            return render_error(422, _("Chưa làm được"), _("Bài học này không thuộc khoá học của lớp."))
        live = services.start(class_session, lesson, current_user)
        db.session.commit()
        return redirect(url_for("live.control", live_id=live.id))
    return render_template("live/start.html", class_session=class_session, cohort=cohort, lessons=lessons,
                           live=services.live_for(class_session))


@bp.route("/live/<int:live_id>")
@role_required(*STAFF)
def control(live_id: int):
    live = live_or_404(live_id)
    from lms.live import assessment

    finals = [(quiz, assessment.progress(live, quiz)) for quiz in assessment.final_quizzes(live)]
    return render_template("live/control.html", live=live, people=services.room(live),
                           askable=questions.askable(live), finals=finals,
                           joined=services.joined_count(live), connected=services.connected_count(live),
                           total=len(services.slides_of(live, current_lang())), **_question_context(live))


def _question_context(live: LiveSession, asked=..., *, with_counts: bool = True) -> dict:
    """The current question for a template; its answer counts only where they are shown (a phone
    sees them after the reveal: while 300 phones load the question at once, counting every
    answer for each of them is the hall's costliest read)."""
    if asked is ...:
        asked = questions.current(live)
    if asked is None:
        return {"asked": None}
    tally, answered = questions.counts(asked) if with_counts or asked.state == "revealed" else ({}, 0)
    return {"asked": asked, "question": asked.question, "choices": questions.options(asked.question),
            "tally": tally, "answered": answered}


@bp.route("/live/<int:live_id>/end", methods=["POST"])
@role_required(*STAFF)
def end(live_id: int):
    live = live_or_404(live_id)
    services.end(live)
    db.session.commit()
    flash(_("Đã kết thúc buổi học. Đây là tóm tắt buổi học."), "success")
    return redirect(url_for("live.summary", live_id=live.id))


@bp.route("/live/<int:live_id>/people", methods=["POST"])
@role_required(*STAFF)
def people(live_id: int):
    """Tick a learner without a phone, or untick someone who is not in the hall."""
    live = live_or_404(live_id)
    user_id = form_id("user_id")
    if user_id is None:
        abort(404)
    if request.form.get("action") == "untick":
        services.untick(live, user_id)
    else:
        try:
            services.join(live, user_id, by_id=current_user.id, via="hand")
        except services.LiveError as error:
            return refused(error.code)
    db.session.commit()
    return redirect(url_for("live.control", live_id=live.id) + "#people")


@bp.route("/live/<int:live_id>/questions", methods=["POST"])
@role_required(*STAFF)
def send_question(live_id: int):
    live = live_or_404(live_id)
    question_id = form_id("question_id")
    try:
        questions.send(live, question_id or 0)
    except services.LiveError as error:
        return refused(error.code)
    db.session.commit()
    return redirect(url_for("live.control", live_id=live.id) + "#question")


@bp.route("/live/<int:live_id>/questions/<int:asked_id>", methods=["POST"])
@role_required(*STAFF)
def question_step(live_id: int, asked_id: int):
    """Close, reveal or put away the question on the phones."""
    live = live_or_404(live_id)
    asked = db.session.get(LiveQuestion, asked_id)
    if asked is None or asked.live_session_id != live.id:
        abort(404)
    try:
        questions.advance(live, asked, request.form.get("to", ""))
    except services.LiveError as error:
        return refused(error.code)
    db.session.commit()
    return redirect(url_for("live.control", live_id=live.id) + "#question")


@bp.route("/live/<int:live_id>/questions/<int:asked_id>/for", methods=["POST"])
@role_required(*STAFF)
def answer_for(live_id: int, asked_id: int):
    """Shared-phone mode: the instructor answers for a named learner; recorded as that learner's."""
    live = live_or_404(live_id)
    asked = db.session.get(LiveQuestion, asked_id)
    user_id = form_id("user_id")
    if asked is None or asked.live_session_id != live.id or user_id is None:
        abort(404)
    try:
        if services.participant(live, user_id) is None:
            services.join(live, user_id, by_id=current_user.id, via="hand")
        questions.answer(live, asked, user_id, request.form.getlist("choice"), by_id=current_user.id)
    except services.LiveError as error:
        return refused(error.code)
    db.session.commit()
    flash(_("Đã ghi câu trả lời."), "success")
    return redirect(url_for("live.control", live_id=live.id) + "#question")


@bp.route("/live/<int:live_id>/summary")
@role_required(*STAFF)
def summary(live_id: int):
    live = live_or_404(live_id)
    return render_template("live/summary.html", live=live, summary=after_class.summary(live))


# ---- the learner's side: joining -----------------------------------------------------------------

PENDING_SECONDS = 300  # a scan made before signing in still counts this long after


@bp.route("/j/<code>")
@limiter.limit("120 per minute")
def scan(code: str):
    """What the projector's QR code opens: join the class and be marked present in one step.

    Not signed in yet: the class is remembered in this browser's session for a few minutes, so
    signing in with phone and PIN, or by scanning one's card, still joins it although the code
    on the projector has changed meanwhile."""
    if current_user.is_authenticated:
        return _join(code)
    matches = services.find_by_code(code)
    if not matches:
        status, message = messages()["bad_code"]
        return render_error(status, _("Chưa làm được"), message)
    pending = _pending_signer().dumps(matches)
    session["live_pending"] = pending  # for a card sign-in, which starts from the card's own link
    return redirect(url_for("accounts.login", next=url_for("live.resume", p=pending)))


def _pending_signer():
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(current_app.secret_key, salt="live-pending")


@bp.route("/live/resume")
@login_required
def resume():
    """After signing in: join the class scanned just before (signed, valid a few minutes; signing
    in starts a fresh session, so the scan travels in the link)."""
    from itsdangerous import BadData

    try:
        ids = _pending_signer().loads(request.args.get("p", ""), max_age=PENDING_SECONDS)
    except BadData:
        ids = []
    ids = [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []
    running = set(services.running())
    return _join_live([db.session.get(LiveSession, i) for i in ids if i in running])


@bp.route("/vao", methods=["GET", "POST"])
@limiter.limit("120 per minute", methods=["POST"])
@login_required
def join():
    """Type the code shown on the projector (for a phone that cannot scan)."""
    if request.method == "POST":
        return _join(request.form.get("code", ""))
    return render_template("live/join.html", mine=_my_running())


def _my_running() -> list[LiveSession]:
    from lms.live.models import LiveParticipant

    ids = services.running()
    if not ids:
        return []
    return db.session.scalars(db.select(LiveSession).join(
        LiveParticipant, LiveParticipant.live_session_id == LiveSession.id).where(
        LiveSession.id.in_(ids), LiveParticipant.user_id == current_user.id)).all()


def _join(code: str):
    matches = services.find_by_code(code)
    if not matches:
        db.session.rollback()
        status, message = messages()["bad_code"]
        return render_template("live/join.html", mine=_my_running(), error=message), status
    return _join_live([db.session.get(LiveSession, live_id) for live_id in matches])


def _join_live(lives: list[LiveSession]):
    if not lives:
        status, message = messages()["bad_code"]
        return render_template("live/join.html", mine=_my_running(), error=message), status
    # Two classes with the same code at the same minute: the one this person belongs to.
    live = next((lv for lv in lives if services.is_member(lv.cohort_id, current_user.id)), lives[0])
    try:
        added = services.join(live, current_user.id)
    except services.LiveError as error:
        return refused(error.code)
    db.session.commit()
    if added:
        flash(_("Bạn đã vào lớp và được điểm danh có mặt."), "success")
    return redirect(url_for("live.follow", live_id=live.id))


# ---- the learner's side: following and answering ------------------------------------------------

def joined_live_or_refuse(live_id: int):
    live = db.session.get(LiveSession, live_id)
    if live is None:
        abort(404)
    if services.participant(live, current_user.id) is None:
        return live, "not_joined"
    return live, None


@bp.route("/live/<int:live_id>/follow")
@login_required
def follow(live_id: int):
    live, problem = joined_live_or_refuse(live_id)
    if problem:
        return refused(problem)
    services.seen(live.id, current_user.id)
    db.session.commit()
    from lms.live.follow import phone_context

    return render_template("live/follow.html", live=live, **phone_context(live, current_user.id))


@bp.route("/live/<int:live_id>/answer", methods=["POST"])
@login_required
def answer(live_id: int):
    """A phone's answer. With JavaScript (live.js sends it with `X-Requested-With: fetch`) the reply
    is the phone's new fragment, so the page does not reload while the whole hall answers at once;
    without it, the usual redirect back to the page."""
    by_script = request.headers.get("X-Requested-With") == "fetch"
    live, problem = joined_live_or_refuse(live_id)
    if problem:
        return refused(problem, as_json=by_script)
    asked = db.session.get(LiveQuestion, form_id("asked_id") or 0)
    if asked is None or asked.live_session_id != live.id:
        return refused("closed", as_json=by_script)
    try:
        mine = questions.answer(live, asked, current_user.id, request.form.getlist("choice"))
    except services.LiveError as error:
        if error.code == "bad_choice" and not by_script:
            flash(messages()["bad_choice"][1], "error")
            return redirect(url_for("live.follow", live_id=live.id))
        return refused(error.code, as_json=by_script)
    db.session.commit()
    if by_script:
        from lms.live.follow import answered_fragment

        return answered_fragment(live, asked, mine)
    flash(_("Đã gửi câu trả lời của bạn."), "success")
    return redirect(url_for("live.follow", live_id=live_id))  # not live.id: no reload after the commit


from lms.live import follow as _follow  # noqa: E402,F401  (polling views)
from lms.live import final as _final  # noqa: E402,F401  (the live final assessment)
