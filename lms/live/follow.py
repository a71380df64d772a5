"""The projector and the phones stay in step by polling, with conditional requests.

Why polling with ETag/304 rather than server-sent events: the deployment (README) is gunicorn
with sync workers — a few processes, each answering one request at a time. An SSE stream holds a
worker for as long as the phone is connected, so 300 phones would need 300 workers (or a
different server: gevent, a separate async process, an nginx push module), and a dropped mobile
connection would hold one until it timed out. A poll holds a worker for a few milliseconds: each
phone asks every 2 seconds "anything since version N?", and when nothing changed the answer is an
empty 304 built from one primary-key read of the live_session row (its `version` is the ETag).
All state is in the database, so any worker of any process answers any phone, a phone that lost
signal or reloaded simply asks again (its place is the account's, not a connection's), and a
learner who arrives late gets the current slide on the first poll. The cost is up to one poll
interval of delay, which suits a hall where the instructor talks between slides.
"""
from __future__ import annotations

import hmac
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import abort, current_app, jsonify, render_template, request
from flask_login import current_user, login_required

from lms.accounts.cards import qr_svg
from lms.extensions import db
from lms.live import bp, questions, services
from lms.live.access import live_or_404
from lms.fastread import FastRead
from lms.live.models import LiveParticipant, LiveQuestion, LiveResponse, LiveSession
from lms.live.routes import STAFF, joined_live_or_refuse, refused, _question_context
from lms.templating import current_lang
from lms.timeutil import utcnow
from lms.web import public_url_or_none, role_required

PHONE_POLL_MS = 2000
SCREEN_POLL_MS = 1500


def _conditional(etag: str, render):
    """304 when the client already has this version, else the rendered fragment with its ETag."""
    if request.if_none_match.contains(etag):
        response = current_app.response_class(status=304)
    else:
        response = current_app.make_response(render())
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-store, private"
    return response


# ---- the projector ---------------------------------------------------------------------------

@bp.route("/live/<int:live_id>/present")
@role_required(*STAFF)
def present(live_id: int):
    """Full-screen slides; opening it makes this screen the one that drives the class."""
    live = live_or_404(live_id)
    key = services.claim_screen(live)
    db.session.commit()
    slides = services.slides_of(live, current_lang())
    return render_template("live/present.html", live=live, slides=slides, screen_key=key,
                           poll_ms=SCREEN_POLL_MS, **_screen_context(live, key))


def _join_url(live: LiveSession, code: str) -> str:
    from flask import url_for

    return public_url_or_none("live.scan", code=code) or url_for("live.scan", code=code, _external=True)


def _screen_context(live: LiveSession, key: str | None) -> dict:
    code = services.join_code(live.id)
    url = _join_url(live, code)
    return {"code": code, "join_url": url, "qr": qr_svg(url, "QR"), "seconds_left": services.seconds_left(),
            "joined": services.joined_count(live), "connected": services.connected_count(live),
            "other_screen": not key or not hmac.compare_digest(str(live.screen_key or ""), key),
            **_question_context(live)}


@bp.route("/live/<int:live_id>/screen")
@role_required(*STAFF)
def screen(live_id: int):
    """What the projector polls: the code and QR, how many joined and are connected, the question's bars."""
    live = live_or_404(live_id)
    key = request.args.get("key", "")
    context = _screen_context(live, key)
    etag = (f"s{live.id}-{live.version}-{context['code']}-{context['joined']}-{context['connected']}-"
            f"{context.get('answered', 0)}-{int(context['other_screen'])}-{current_lang()}")
    return _conditional(etag, lambda: render_template("live/_screen.html", live=live, **context))


@bp.route("/live/<int:live_id>/slide", methods=["POST"])
@role_required(*STAFF)
def slide(live_id: int):
    """The projector moved to another slide (sent by live.js)."""
    live = live_or_404(live_id)
    try:
        number = int(request.form.get("slide", ""))
    except ValueError:
        return jsonify(error="bad_slide"), 422
    try:
        services.set_slide(live, number, request.form.get("key"), len(services.slides_of(live, current_lang())))
    except services.LiveError as error:
        return refused(error.code, as_json=True)
    db.session.commit()
    return jsonify(slide=live.slide, version=live.version)


# ---- the phones ---------------------------------------------------------------------------------

def phone_context(live: LiveSession, user_id: int, asked=..., mine=...) -> dict:
    """What a phone shows: the open question (and this person's answer), or else the current
    slide. `asked` and `mine` may be given when the caller has already read them."""
    context = {"poll_ms": PHONE_POLL_MS, "mine": None, **_question_context(live, asked, with_counts=False)}
    if context["asked"] is not None:
        context["mine"] = questions.response_of(context["asked"], user_id) if mine is ... else mine
        return context
    slides = services.slides_of(live, current_lang())
    number = min(live.slide, max(len(slides) - 1, 0))
    context.update(slide_html=slides[number] if slides else "", number=number, total=len(slides))
    return context


def phone_etag(live: LiveSession, answered: bool) -> str:
    """A phone's fragment changes with the class's version, whether this person answered the
    current question, and the language."""
    return f"p{live.id}-{live.version}-{int(answered)}-{current_lang()}"


def answered_fragment(live: LiveSession, asked: LiveQuestion, mine: LiveResponse):
    """The fragment a phone shows right after answering, with the ETag its next poll sends."""
    response = current_app.make_response(render_template(
        "live/_phone.html", live=live, **phone_context(live, mine.user_id, asked, mine)))
    response.set_etag(phone_etag(live, True))
    response.headers["Cache-Control"] = "no-store, private"
    return response


# What a phone's poll needs, in one read (lms.fastread): the class's version, whether this person
# joined and when their phone was last seen, and whether they answered the current question.
_latest = (sa.select(sa.func.max(LiveQuestion.id)).where(LiveQuestion.live_session_id == LiveSession.id)
           .correlate(LiveSession).scalar_subquery())
_POLL = FastRead(
    sa.select(LiveSession.version, LiveParticipant.id, LiveParticipant.last_seen_at,
              sa.exists().where(LiveResponse.live_question_id == LiveQuestion.id,
                                LiveResponse.user_id == sa.bindparam("user_id"),
                                LiveQuestion.id == _latest, LiveQuestion.state != sa.literal_column("'done'")))
    .outerjoin(LiveParticipant, sa.and_(LiveParticipant.live_session_id == LiveSession.id,
                                        LiveParticipant.user_id == sa.bindparam("user_id")))
    .where(LiveSession.id == sa.bindparam("live_id"))
)


def _as_time(value) -> datetime | None:
    """A timestamp as the driver gives it (text on SQLite)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


@bp.route("/live/<int:live_id>/state")
@login_required
def state(live_id: int):
    """What a joined phone polls: the current slide and question, as a fragment (304 if unchanged).

    300 phones polling every 2 s are 150 requests a second, almost all answered "nothing new":
    that answer is one read on the driver (no ORM objects, no write, no transaction). Only when
    something changed, or the phone's "last seen" is due (every few seconds), does it take the
    full path below."""
    row = _POLL.first({"live_id": live_id, "user_id": current_user.id})
    if row is None:
        abort(404)
    version, participant_id, last_seen, answered = row
    # Answers and joins do not change `version` (only what every phone shows does); whether this
    # person has answered the current question is part of their own ETag.
    etag = f"p{live_id}-{version}-{int(bool(answered))}-{current_lang()}"  # as phone_etag()
    fresh = last_seen is not None and _as_time(last_seen) >= utcnow() - timedelta(seconds=services.SEEN_EVERY_SECONDS)
    if participant_id is not None and fresh and request.if_none_match.contains(etag):
        return _conditional(etag, None)
    live, problem = joined_live_or_refuse(live_id)
    if problem:
        return refused(problem)
    services.seen(live.id, current_user.id)
    db.session.commit()
    asked = questions.current(live)
    mine = questions.response_of(asked, current_user.id) if asked is not None else None
    etag = phone_etag(live, mine is not None)
    return _conditional(etag, lambda: render_template("live/_phone.html", live=live,
                                                      **phone_context(live, current_user.id, asked, mine)))
