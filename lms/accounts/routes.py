"""Thin views for signing in and out, changing a PIN, choosing a language, managing people."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.validators import Optional

from lms.accounts import bp
from lms.accounts.forms import ChangePasswordForm, ChangePinForm, LoginForm, PersonForm
from lms.accounts.models import ROLES, AccountSession, User
from lms.accounts.policy import manages_ward, may_change_roles, may_edit_person, may_end_sign_ins, \
    may_issue_sign_in
from lms.accounts.people import update_person
from lms.accounts.phone import display_phone
from lms.accounts.principal import current_account
from lms.accounts.signins import end_all_sessions, end_other_sessions, end_session, open_sessions, sign_in, sign_out
from lms.accounts.services import AccountError, authenticate, change_secret, reset_pin, secret_kind_of, set_locale
from lms.errors import render_error
from lms.extensions import db, limiter
from lms.web import role_required, safe_next
from lms.wards.models import ResidentialGroup

ACCOUNT_MESSAGES = {
    "pin_format": lambda: _("Mã PIN phải gồm đúng 6 chữ số."),
    "pin_weak": lambda: _("Mã PIN này quá dễ đoán. Hãy chọn 6 chữ số khác."),
    # Said the same way whatever the cause: it never tells that someone shares the number.
    "pin_unavailable": lambda: _("Mã PIN này không dùng được. Hãy chọn 6 chữ số khác."),
    "password_short": lambda: _("Mật khẩu cần ít nhất 8 ký tự."),
    "current_wrong": lambda: _("Mã PIN hoặc mật khẩu hiện tại chưa đúng."),
    "phone_taken": lambda: _("Số điện thoại này đã có người dùng."),
    "name_required": lambda: _("Hãy nhập họ và tên."),
    "password_kept": lambda: _("Bạn đăng nhập bằng mật khẩu: hãy chọn một mật khẩu mới, không dùng mã PIN."),
}


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    from lms.accounts.here import people_here, remember_here

    # "Ai đang học?": only those who signed in on this browser before are named (lms.accounts.here).
    here = people_here()
    who = next((p for p in here if p.id == request.values.get("who", type=int)), None)
    if who is not None and request.method == "POST":
        from werkzeug.datastructures import CombinedMultiDict, MultiDict

        form = LoginForm(formdata=CombinedMultiDict([MultiDict({"phone": who.phone}), request.form]))
    else:
        form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    status = 200
    error = None
    if form.validate_on_submit():
        result = authenticate(form.phone.data, form.secret.data)
        if result.user:
            mine = request.form.get("remember") == "y"  # "Đây là điện thoại của tôi"
            sign_in(result.user, method=result.user.secret_kind, remember=mine)
            if mine and result.user.secret_kind == "pin":
                # Only a phone its owner calls theirs offers "Ai đang học?": a ward office's shared
                # computer must not list the names of everyone who signed in on it.
                remember_here(result.user.id)
            db.session.commit()
            return redirect(safe_next(form.next.data) or url_for("main.home"))
        # One answer for an unknown number, no PIN yet, a wrong PIN and a try made too soon.
        status = 401
        # The number comes back as people read and type it (0912 345 678), never as +84….
        form.phone.data = display_phone(form.phone.data)
        error = _(
            "Số điện thoại hoặc mã PIN chưa đúng, hoặc bạn đã thử quá nhiều lần. Hãy đợi một lát rồi "
            "thử lại; nếu quên mã PIN, hãy nhờ cán bộ phường đặt lại."
        )
    elif form.is_submitted():
        status = 422
    return render_template("accounts/login.html", form=form, error=error, here=here, who=who), status


@bp.route("/logout", methods=["POST"])
def logout():
    return _sign_out_here()


@bp.route("/account/pin", methods=["GET", "POST"])
@login_required
def change_pin():
    account = current_account()
    # Whoever signs in with a password (staff made by `flask admin create`) changes the password
    # here: a 6-digit PIN never replaces it. Everyone else has a PIN.
    kind = secret_kind_of(account)
    form = ChangePasswordForm() if kind == "password" else ChangePinForm()
    first_pin = account.secret_hash is None
    if first_pin:
        # Signed in with a card and no PIN yet: the card proved who they are.
        form.current.validators = [Optional()]
    status = 200
    if form.validate_on_submit():
        try:
            change_secret(account, form.current.data, form.new.data, kind)
        except AccountError as exc:
            db.session.rollback()
            field = form.current if exc.code == "current_wrong" else form.new
            field.errors.append(ACCOUNT_MESSAGES[exc.code]())
            status = 422
        else:
            # Every other device signed in with the old PIN is signed out; this one stays signed in.
            remembered = db.session.scalar(sa.select(AccountSession.remember_hash.is_not(None))
                                           .where(AccountSession.id == current_user.session_id))
            end_all_sessions(account)
            sign_in(account, method=kind, remember=bool(remembered))
            db.session.commit()
            if kind == "password":
                flash(_("Đã lưu mật khẩu mới. Lần sau hãy đăng nhập bằng số điện thoại và mật khẩu này."),
                      "success")
            else:
                flash(_("Đã lưu mã PIN. Lần sau hãy đăng nhập bằng số điện thoại và mã PIN này."), "success")
            return redirect(url_for("main.home"))
    elif form.is_submitted():
        status = 422
    return render_template("accounts/change_pin.html", form=form, first_pin=first_pin, kind=kind), status


@bp.route("/language", methods=["POST"])
def choose_language():
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        set_locale(current_account(), locale)
        db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))


# --- a ward's people: coordinators see and edit only their own ward -----------------------


def _person_or_404(person_id: int) -> User:
    """Load a person the current coordinator may manage; 404 hides other wards' people."""
    person = db.session.get(User, person_id)
    if person is None or not manages_ward(current_user, person.ward_id):
        abort(404)
    return person


@bp.route("/people/")
@role_required("coordinator", "admin")
def people():
    """The ward's people, a page at a time, filtered and searched (lms.accounts.directory)."""
    from lms.accounts.directory import people_listing

    return people_listing(current_user)


@bp.route("/people/<int:person_id>")
@role_required("coordinator", "admin")
def person(person_id: int):
    person = _person_or_404(person_id)
    return render_template("accounts/person.html", person=person, may_edit=may_edit_person(current_user, person),
                           may_reset=may_issue_sign_in(current_user, person),
                           may_end=may_end_sign_ins(current_user, person))


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@role_required("coordinator", "admin")
def edit_person(person_id: int):
    """A person's details; roles only for an administrator (lms.accounts.policy).

    A coordinator edits the learner-only people of their ward (name, phone, birth year, group,
    e-mail) and never their roles: the form has no roles, and a request that sends some anyway
    is refused (403) unless they are exactly the person's roles now. A staff account's page is
    an administrator's alone: its phone is how it signs in.
    """
    person = _person_or_404(person_id)
    if not may_edit_person(current_user, person):
        return render_error(403, _("Chỉ quản trị viên sửa được tài khoản này"), _(
            "Đây là tài khoản cán bộ (giảng viên, cán bộ điều phối hoặc quản trị). Thông tin, số điện "
            "thoại và vai trò của tài khoản cán bộ chỉ quản trị viên thay đổi được."))
    admin = current_user.has_role("admin")
    form = PersonForm(obj=person)
    if admin:
        form.roles.choices = [(r, role_label(r)) for r in ROLES]
    else:
        del form.roles
    if request.method == "POST":
        if admin:
            wanted = set(request.form.getlist("roles"))
        else:
            wanted = set(request.form.getlist("roles")) if "roles" in request.form else set(person.roles)
        if not may_change_roles(current_user, person, wanted):
            abort(403)
    groups = db.session.scalars(
        sa.select(ResidentialGroup).where(ResidentialGroup.ward_id == person.ward_id).order_by(ResidentialGroup.name)
    ).all()
    form.group_id.choices = [(0, _("— Chưa chọn —"))] + [(g.id, g.name) for g in groups]
    if request.method == "GET":
        form.group_id.data = person.group_id or 0
        if admin:
            form.roles.data = sorted(person.roles)
    status = 200
    if form.validate_on_submit():
        try:
            update_person(person, full_name=form.full_name.data, phone=form.phone.data,
                          birth_year=form.birth_year.data, email=form.email.data, group_id=form.group_id.data,
                          roles=wanted)
        except AccountError as exc:
            db.session.rollback()
            form.phone.errors.append(ACCOUNT_MESSAGES[exc.code]())
            status = 422
        else:
            db.session.commit()
            flash(_("Đã lưu thông tin của %(name)s.", name=person.full_name), "success")
            return redirect(url_for("accounts.person", person_id=person.id))
    elif form.is_submitted():
        status = 422
    return render_template("accounts/edit_person.html", form=form, person=person, admin=admin), status


def role_label(role: str) -> str:
    return {
        "learner": _("Học viên"),
        "instructor": _("Giảng viên"),
        "coordinator": _("Cán bộ điều phối"),
        "admin": _("Quản trị"),
    }[role]


@bp.route("/people/<int:person_id>/reset-pin", methods=["POST"])
@role_required("coordinator", "admin")
def reset_person_pin(person_id: int):
    """A forgotten PIN: the coordinator gives a new one, shown once on this page only."""
    from lms.audit.services import record

    person = _person_or_404(person_id)
    if not may_issue_sign_in(current_user, person):
        abort(403)  # staff are reset by an administrator; an administrator by nobody here
    pin = reset_pin(person)
    end_all_sessions(person)  # whoever was signed in with the old PIN is signed out
    record(current_user, "reset_pin", person, ward=person.ward_id)
    db.session.commit()
    response = current_app.make_response(render_template("accounts/new_pin.html", person=person, pin=pin))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/people/<int:person_id>/sessions/end", methods=["POST"])
@role_required("coordinator", "admin")
def end_person_sessions(person_id: int):
    """Sign a person out on every phone and computer (a lost phone, a shared one)."""
    from lms.audit.services import record

    person = _person_or_404(person_id)
    # Staff accounts' sign-ins are ended only by an administrator (lms.accounts.policy).
    if not may_end_sign_ins(current_user, person):
        abort(403)
    end_all_sessions(person)
    record(current_user, "end_sessions", person, ward=person.ward_id)
    db.session.commit()
    flash(_("%(name)s đã được đăng xuất trên mọi điện thoại và máy tính.", name=person.full_name), "success")
    return redirect(url_for("accounts.person", person_id=person.id))


# --- the signed-in person's own phones and computers ----------------------------------------


@bp.route("/account/devices")
@login_required
def devices():
    response = current_app.make_response(render_template(
        "accounts/devices.html", devices=open_sessions(current_user.id), current_id=current_user.session_id))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/devices/<int:session_id>/end", methods=["POST"])
@login_required
def end_device(session_id: int):
    if session_id == current_user.session_id:
        return _sign_out_here()
    if not end_session(current_user.id, session_id):
        abort(404)  # not one of this person's devices, or already signed out
    db.session.commit()
    flash(_("Đã đăng xuất thiết bị đó."), "success")
    return redirect(url_for("accounts.devices"))


@bp.route("/account/devices/end-others", methods=["POST"])
@login_required
def end_other_devices():
    count = end_other_sessions(current_user.id, current_user.session_id)
    db.session.commit()
    flash(_("Đã đăng xuất %(num)d thiết bị khác. Chỉ còn thiết bị này đang đăng nhập.", num=count), "success")
    return redirect(url_for("accounts.devices"))


@bp.route("/account/devices/end-all", methods=["POST"])
@login_required
def end_all_devices():
    """"Đăng xuất khỏi mọi thiết bị": this one too."""
    end_all_sessions(current_user.id)
    return _sign_out_here(_("Bạn đã đăng xuất khỏi mọi thiết bị."))


def _sign_out_here(message: str | None = None):
    sign_out()
    db.session.commit()
    flash(message or _("Bạn đã đăng xuất."), "info")
    return redirect(url_for("accounts.login"))
