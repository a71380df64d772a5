"""Thin views for signing in and out, changing a PIN, choosing a language, managing people."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_datetime, gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from wtforms.validators import Optional

from lms.accounts import bp
from lms.accounts.forms import ChangePinForm, LoginForm, PersonForm
from lms.accounts.models import ROLES, User, UserRole
from lms.accounts.services import AccountError, authenticate, change_secret, reset_pin, set_locale
from lms.extensions import db, limiter
from lms.web import can_manage_ward, role_required, safe_next
from lms.wards.models import ResidentialGroup

ACCOUNT_MESSAGES = {
    "pin_format": lambda: _("Mã PIN phải gồm đúng 6 chữ số."),
    "pin_weak": lambda: _("Mã PIN này quá dễ đoán. Hãy chọn 6 chữ số khác."),
    "password_short": lambda: _("Mật khẩu cần ít nhất 8 ký tự."),
    "current_wrong": lambda: _("Mã PIN hoặc mật khẩu hiện tại chưa đúng."),
    "phone_taken": lambda: _("Số điện thoại này đã có người dùng."),
    "name_required": lambda: _("Hãy nhập họ và tên."),
}


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    status = 200
    error = None
    if form.validate_on_submit():
        result = authenticate(form.phone.data, form.secret.data)
        if result.user:
            session.permanent = True
            login_user(result.user)
            db.session.commit()
            return redirect(safe_next(form.next.data) or url_for("main.home"))
        if result.error == "locked":
            status = 429
            error = _(
                "Bạn đã nhập sai nhiều lần nên tài khoản tạm khoá đến %(time)s. "
                "Hãy thử lại sau, hoặc nhờ cán bộ phường đặt lại mã PIN.",
                time=format_datetime(result.locked_until, "HH:mm"),
            )
        else:
            status = 401
            error = _(
                "Số điện thoại hoặc mã PIN chưa đúng. Nếu bạn quên mã PIN, "
                "hãy nhờ cán bộ phường hoặc giảng viên đặt lại."
            )
    elif form.is_submitted():
        status = 422
    return render_template("accounts/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/pin", methods=["GET", "POST"])
@login_required
def change_pin():
    form = ChangePinForm()
    first_pin = current_user.secret_hash is None
    if first_pin:
        # Signed in with a card and no PIN yet: the card proved who they are.
        form.current.validators = [Optional()]
    status = 200
    if form.validate_on_submit():
        try:
            change_secret(current_user, form.current.data, form.new.data, "pin")
        except AccountError as exc:
            db.session.rollback()
            field = form.current if exc.code == "current_wrong" else form.new
            field.errors.append(ACCOUNT_MESSAGES[exc.code]())
            status = 422
        else:
            db.session.commit()
            flash(_("Đã lưu mã PIN. Lần sau hãy đăng nhập bằng số điện thoại và mã PIN này."), "success")
            return redirect(url_for("main.home"))
    elif form.is_submitted():
        status = 422
    return render_template("accounts/change_pin.html", form=form, first_pin=first_pin), status


@bp.route("/language", methods=["POST"])
def choose_language():
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        set_locale(current_user, locale)
        db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))


# --- a ward's people: coordinators see and edit only their own ward -----------------------


def _person_or_404(person_id: int) -> User:
    """Load a person the current coordinator may manage; 404 hides other wards' people."""
    person = db.session.get(User, person_id)
    if person is None or not can_manage_ward(current_user, person.ward_id):
        abort(404)
    return person


@bp.route("/people/")
@role_required("coordinator", "admin")
def people():
    query = sa.select(User).order_by(User.full_name)
    if not current_user.has_role("admin"):
        query = query.where(User.ward_id == current_user.ward_id)
    people = db.session.scalars(query).all()
    return render_template("accounts/people.html", people=people)


@bp.route("/people/<int:person_id>")
@role_required("coordinator", "admin")
def person(person_id: int):
    return render_template("accounts/person.html", person=_person_or_404(person_id))


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@role_required("coordinator", "admin")
def edit_person(person_id: int):
    person = _person_or_404(person_id)
    form = PersonForm(obj=person)
    groups = db.session.scalars(
        sa.select(ResidentialGroup).where(ResidentialGroup.ward_id == person.ward_id).order_by(ResidentialGroup.name)
    ).all()
    form.group_id.choices = [(0, _("— Chưa chọn —"))] + [(g.id, g.name) for g in groups]
    grantable = [r for r in ROLES if r != "admin" or current_user.has_role("admin")]
    form.roles.choices = [(r, role_label(r)) for r in grantable]
    if request.method == "GET":
        form.group_id.data = person.group_id or 0
        form.roles.data = sorted(person.roles)
    status = 200
    if form.validate_on_submit():
        taken = db.session.scalar(
            sa.select(User.id).where(User.phone == form.phone.data, User.id != person.id)
        )
        if taken:
            form.phone.errors.append(ACCOUNT_MESSAGES["phone_taken"]())
            status = 422
        else:
            person.full_name = " ".join(form.full_name.data.split())
            person.phone = form.phone.data
            person.birth_year = form.birth_year.data
            person.email = form.email.data or None
            person.group_id = form.group_id.data or None
            kept = {r for r in person.roles if r not in grantable}
            wanted = kept | set(form.roles.data or [])
            person.role_rows = [row for row in person.role_rows if row.role in wanted] + [
                UserRole(role=r) for r in sorted(wanted - person.roles)
            ]
            db.session.commit()
            flash(_("Đã lưu thông tin của %(name)s.", name=person.full_name), "success")
            return redirect(url_for("accounts.person", person_id=person.id))
    elif form.is_submitted():
        status = 422
    return render_template("accounts/edit_person.html", form=form, person=person), status


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
    if person.has_role("coordinator", "admin") and not current_user.has_role("admin"):
        abort(403)  # staff accounts are reset by an administrator
    pin = reset_pin(person)
    record(current_user, "reset_pin", person, ward=person.ward_id)
    db.session.commit()
    response = current_app.make_response(render_template("accounts/new_pin.html", person=person, pin=pin))
    response.headers["Cache-Control"] = "no-store"
    return response
