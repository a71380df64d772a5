"""Thin views: print a cohort's sign-in cards, revoke them, and sign in by a card's link."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.cards import card_refusals, card_state, issue_cards, qr_svg, redeem, revoke_cohort_cards, \
    revoke_person_cards
from lms.accounts.collation import sort_by_name
from lms.accounts.signins import end_all_sessions, sign_in
from lms.cohorts import bp
from lms.cohorts.access import cohort_or_404, member_or_404
from lms.cohorts.importing import find_staged
from lms.cohorts.services import card_members
from lms.errors import render_error
from lms.extensions import db, limiter
from lms.web import database_id, public_url, require_public_base, role_required


@bp.route("/cohorts/<int:cohort_id>/cards", methods=["POST"])
@role_required("coordinator", "admin")
def print_cards(cohort_id: int):
    """Issue fresh cards and show them ready to print; the links exist only in this page."""
    cohort = cohort_or_404(cohort_id)
    require_public_base()  # before any card is issued: the printed links need the configured address
    chosen = request.form.getlist("user_id", type=database_id)
    import_key = request.form.get("import_key")
    if import_key:
        staged = find_staged(cohort, current_user, import_key)
        chosen = list((staged.result or {}).get("user_ids", [])) if staged else []
        if not chosen:
            abort(404)
    people = sort_by_name(card_members(cohort, chosen or None))
    # Cards are for learners of this ward only (lms.accounts.policy); asking by name for anyone
    # else (or for someone not in the class) is refused outright, and a whole-class print leaves
    # them out and says so.
    refused = card_refusals(cohort, people, current_user)
    asked_for_others = bool(chosen) and not import_key and len(set(chosen)) != len(people)
    if asked_for_others or (refused and ((chosen and not import_key) or len(refused) == len(people))):
        return render_error(403, _("Không in được thẻ"), _(
            "Thẻ đăng nhập chỉ dành cho học viên của phường này. Tài khoản cán bộ (giảng viên, cán bộ "
            "điều phối, quản trị) đăng nhập bằng số điện thoại và mã PIN hoặc mật khẩu."))
    people = [person for person in people if person not in refused]
    if not people:
        flash(_("Lớp chưa có học viên nào để in thẻ."), "info")
        return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    if refused:
        flash(_("%(num)d người trong lớp không được in thẻ: thẻ chỉ dành cho học viên của phường này.",
                num=len(refused)), "info")
    issued = issue_cards(cohort, people, current_user)
    db.session.commit()
    cards = []
    for person, raw, token in issued:
        url = public_url("cohorts.card_sign_in", token=raw)
        cards.append({"person": person, "url": url, "expires_at": token.expires_at,
                      "qr": qr_svg(url, _("Mã QR đăng nhập của %(name)s", name=person.full_name))})
    site = public_url("main.home")
    response = current_app.make_response(render_template("cohorts/cards.html", cohort=cohort, cards=cards,
                                                          site=site))
    # The page holds working sign-in links: never keep it in a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/cohorts/<int:cohort_id>/cards/revoke", methods=["POST"])
@role_required("coordinator", "admin")
def revoke_cards(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    count = revoke_cohort_cards(cohort)
    db.session.commit()
    flash(_("Đã thu hồi %(num)d thẻ chưa dùng của lớp. Những thẻ đó không đăng nhập được nữa.", num=count),
          "success")
    return redirect(url_for("cohorts.show", cohort_id=cohort.id))


@bp.route("/cohorts/<int:cohort_id>/members/<int:user_id>/cards/revoke", methods=["POST"])
@role_required("coordinator", "admin")
def revoke_member_cards(cohort_id: int, user_id: int):
    cohort = cohort_or_404(cohort_id)
    person = member_or_404(cohort, user_id)
    count = revoke_person_cards(person)
    end_all_sessions(person)  # a card already used may have signed someone in: that ends too
    db.session.commit()
    flash(_("Đã thu hồi %(num)d thẻ chưa dùng của %(name)s.", num=count, name=person.full_name), "success")
    return redirect(url_for("cohorts.member", cohort_id=cohort.id, user_id=person.id))


def _card_refused(state: str):
    if state == "unknown":
        return render_error(404, _("Không tìm thấy thẻ"),
                            _("Đường link trên thẻ không đúng. Hãy quét lại mã QR, hoặc nhờ cán bộ phường "
                              "in thẻ mới."))
    messages = {
        "used": _("Thẻ này đã được dùng để đăng nhập. Mỗi thẻ chỉ dùng được một lần. Nếu bạn cần đăng nhập "
                  "lại, hãy nhờ cán bộ phường in thẻ mới."),
        "expired": _("Thẻ này đã hết hạn. Hãy nhờ cán bộ phường in thẻ mới."),
        "revoked": _("Thẻ này đã bị thu hồi và không dùng được nữa. Hãy nhờ cán bộ phường in thẻ mới."),
    }
    return render_error(410, _("Thẻ không dùng được nữa"), messages[state])


@bp.route("/s/<token>", methods=["GET"])
@limiter.limit("300 per minute")
def card_sign_in(token: str):
    """Ask "is this you?" first: opening the link never spends it."""
    card, state = card_state(token)
    if state != "ok":
        return _card_refused(state)
    response = current_app.make_response(render_template("cohorts/card_sign_in.html", person=card.user,
                                                         token=token, cohort=card.cohort))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/s/<token>", methods=["POST"])
@limiter.limit("300 per minute")
def card_sign_in_confirm(token: str):
    pending = session.get("live_pending")  # the projector's code scanned first (lms.live)
    user = redeem(token)
    if user is None:
        db.session.rollback()
        state = card_state(token)[1]
        return _card_refused(state if state != "ok" else "used")
    # Whoever this phone was signed in as is signed out first (lms.accounts.signins.sign_in).
    # A learner's own phone keeps them signed in, as they have no PIN to type next time.
    sign_in(user, method="card", remember=request.form.get("remember") == "y")
    db.session.commit()
    flash(_("Chào mừng %(name)s! Bạn đã vào học.", name=user.full_name), "success")
    # Scanned the projector's code first (lms.live): the card now joins that class.
    return redirect(url_for("live.resume", p=pending) if pending else url_for("cohorts.my_cohorts"))
