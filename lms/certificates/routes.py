"""Thin views: a learner's certificates, printing and downloads, the public verify page, keys."""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from flask import Response, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts.principal import current_account
from lms.accounts.models import User
from lms.certificates import bp
from lms.certificates.codes import display_code, likely_typo, masked_name, normalise_code
from lms.certificates.credentials import (
    MEDIA_TYPE,
    build_credential,
    credential_jwt,
    enveloped,
    issuer_profile,
    jwks,
    key_id,
    public_jwk,
    status_list_jwt,
)
from lms.certificates.forms import NameDisplayForm, VerifyForm
from lms.certificates.keys import signing_key, thumbprint
from lms.certificates.models import Certificate
from lms.certificates.pdf import render_pdf
from lms.certificates.services import (
    certificate_by_code,
    certificate_for,
    certificates_of,
    highest_status_index,
    issue_if_completed,
    may_manage,
    may_view,
    set_name_display,
    staff_cohorts,
    status_indexes_set,
)
from lms.certificates.sheet import build_sheet, qr_svg
from lms.courses.services import course_or_404
from lms.errors import render_error
from lms.extensions import db, limiter
from lms.quizzes.completion import completed_online, final_quiz_passed, lessons_done
from lms.wards.models import Ward
from lms.web import database_id, require_public_base

STATIC = Path(__file__).resolve().parent / "static"


@lru_cache(maxsize=16)
def _asset_version(filename: str) -> str:
    return hashlib.sha256((STATIC / filename).read_bytes()).hexdigest()[:10]


@bp.app_template_global()
def certificate_asset(filename: str) -> str:
    """This feature's static file, with a content hash so browsers may keep it for a year."""
    return url_for("certificates.static", filename=filename, v=_asset_version(filename))


def _verify_limit() -> str:
    """Look-ups per address: enough for a person, far too few to enumerate codes."""
    return current_app.config["VERIFY_RATE_LIMIT"]


def _certificate_or_404(certificate_id: int) -> Certificate:
    """A certificate the current person may see; 404 hides everyone else's."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not may_view(current_user, certificate):
        abort(404)
    return certificate


def _still_valid(certificate: Certificate) -> Certificate:
    """A revoked or withdrawn certificate can no longer be printed or downloaded: 410 Gone."""
    if certificate.status == "revoked":
        abort(make_response(render_error(410, _("Chứng nhận đã bị thu hồi"),
                           _("Chứng nhận này đã bị thu hồi nên không thể in hay tải về nữa."))))
    if certificate.status == "withdrawn":
        abort(make_response(render_error(410, _("Chứng nhận đã được rút lại"),
                           _("Chứng nhận này đã được rút lại nên không thể in hay tải về nữa."))))
    return certificate


def _download(body: bytes | str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _public_json(data: dict, mimetype: str = "application/json", max_age: int = 3600) -> Response:
    """A public document other sites' verifiers may fetch (CORS open, cacheable)."""
    response = Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype=mimetype)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


# --- a learner's own certificates ---------------------------------------------------------


@bp.route("/certificates/")
@login_required
def mine():
    return render_template("certificates/mine.html", certificates=certificates_of(current_user),
                           cohorts=staff_cohorts(current_user))


@bp.route("/certificates/<int:certificate_id>")
@login_required
def detail(certificate_id: int):
    certificate = _certificate_or_404(certificate_id)
    form = NameDisplayForm(display="full" if certificate.user.show_full_name else "initials")
    return render_template("certificates/detail.html", certificate=certificate, sheet=build_sheet(certificate),
                           form=form, masked=masked_name(certificate.user.full_name),
                           own=certificate.user_id == current_user.id, manager=may_manage(current_user, certificate))


@bp.route("/certificates/name-display", methods=["POST"])
@login_required
def name_display():
    form = NameDisplayForm()
    back = request.form.get("certificate_id", type=database_id)
    target = url_for("certificates.detail", certificate_id=back) if back else url_for("certificates.mine")
    if not form.validate_on_submit():
        flash(_("Hãy chọn một cách hiện tên."), "info")
        return redirect(target)
    set_name_display(current_account(), form.display.data == "full")
    db.session.commit()
    if current_account().show_full_name:
        flash(_("Đã lưu: trang kiểm tra sẽ hiện đầy đủ họ và tên của bạn."), "success")
    else:
        flash(_("Đã lưu: trang kiểm tra chỉ hiện họ và chữ cái đầu của tên bạn."), "success")
    return redirect(target)


@bp.route("/certificates/course/<slug>", methods=["GET", "POST"])
@login_required
def for_course(slug: str):
    """The learner's certificate for a course: opened when issued; when the rule is met but none
    is issued yet, a page with a button, and the certificate is issued by that POST (with its
    CSRF token), never by following a link."""
    course = course_or_404(slug)
    existing = certificate_for(current_user.id, course.id)
    if existing is not None:
        return redirect(url_for("certificates.detail", certificate_id=existing.id))
    if not completed_online(current_user.id, course.id):
        done, total = lessons_done(current_user.id, course.id)
        return render_template("certificates/not_earned.html", course=course, done=done, total=total,
                               passed=final_quiz_passed(current_user.id, course.id)), 403
    if request.method == "GET":
        return render_template("certificates/claim.html", course=course)
    certificate = issue_if_completed(db.session.get(User, current_user.id), course)
    if certificate is None:  # erased in the meantime
        abort(403)
    db.session.commit()
    flash(_("Chúc mừng! Bạn đã nhận chứng nhận khoá học này."), "success")
    return redirect(url_for("certificates.detail", certificate_id=certificate.id))


@bp.route("/certificates/<int:certificate_id>/print")
@login_required
def print_one(certificate_id: int):
    require_public_base()  # the printed QR code and link: never a host the request chose
    certificate = _still_valid(_certificate_or_404(certificate_id))
    sheet = build_sheet(certificate)
    return render_template("certificates/print.html", certificate=certificate, sheet=sheet,
                           qr=qr_svg(sheet.verify_url, _("Mã QR dẫn tới trang kiểm tra chứng nhận")))


@bp.route("/certificates/<int:certificate_id>/chung-nhan.pdf")
@login_required
def pdf_one(certificate_id: int):
    require_public_base()  # the printed QR code and link: never a host the request chose
    certificate = _still_valid(_certificate_or_404(certificate_id))
    body = render_pdf([build_sheet(certificate)], _("Chứng nhận %(code)s", code=display_code(certificate.code)))
    return _download(body, "application/pdf", f"chung-nhan-{display_code(certificate.code)}.pdf")


def _own_credential_or_404(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not (certificate.user_id == current_user.id or may_manage(current_user, certificate)):
        abort(404)
    return certificate


@bp.route("/certificates/<int:certificate_id>/credential.jwt")
@login_required
def credential_file(certificate_id: int):
    certificate = _still_valid(_own_credential_or_404(certificate_id))
    return _download(credential_jwt(certificate), MEDIA_TYPE, f"chung-nhan-{display_code(certificate.code)}.jwt")


@bp.route("/certificates/<int:certificate_id>/credential.json")
@login_required
def credential_json(certificate_id: int):
    certificate = _still_valid(_own_credential_or_404(certificate_id))
    document = enveloped(credential_jwt(certificate), build_credential(certificate))
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return _download(body, "application/json", f"chung-nhan-{display_code(certificate.code)}.json")


# --- the public verify page ---------------------------------------------------------------


@bp.route("/verify")
# A well-formed code costs one look-up, counted on the page it leads to, not twice.
@limiter.shared_limit(_verify_limit, scope="verify", deduct_when=lambda response: response.status_code != 302)
def verify_form():
    form = VerifyForm(request.args)
    if "code" not in request.args:
        return render_template("certificates/verify.html", form=VerifyForm(), certificate=None, looked=False)
    if form.validate():
        code = normalise_code(form.code.data)
        if code:
            return redirect(url_for("certificates.verify", code=display_code(code)))
        form.code.errors.append(_("Mã chưa đúng dạng. Mã gồm 13 chữ và số, ví dụ 7K3M-9QWX-2HDP-4 "
                                  "(mã cấp trước đây có 12, ví dụ 7K3M-9QWX-2HDP)."))
    return render_template("certificates/verify.html", form=form, certificate=None, looked=False), 422


@bp.route("/verify/<code>")
@limiter.shared_limit(_verify_limit, scope="verify")
def verify(code: str):
    normal = normalise_code(code)
    if normal and display_code(normal) != code:
        return redirect(url_for("certificates.verify", code=display_code(normal)), 301)
    certificate = certificate_by_code(normal) if normal else None
    form = VerifyForm(data={"code": code})
    shown_name = None
    if certificate is not None and certificate.status != "withdrawn":
        user = certificate.user
        shown_name = user.full_name if user.show_full_name else masked_name(user.full_name)
    # A new code whose check character does not fit was mistyped (or misheard), not merely unknown.
    typo = certificate is None and likely_typo(normal)
    body = render_template("certificates/verify.html", form=form, certificate=certificate, looked=True,
                           shown_name=shown_name, typo=typo)
    response = Response(body, status=200 if certificate else 404, mimetype="text/html")
    # A status can change at any time, and these pages are for people, not search engines.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# --- published keys, issuers and status lists ----------------------------------------------


@bp.route("/.well-known/jwks.json")
def jwks_document():
    return _public_json(jwks())


@bp.route("/credentials/keys/<key_thumbprint>")
def jwk(key_thumbprint: str):
    key = signing_key()
    if key_thumbprint != thumbprint(key):
        abort(404)
    return _public_json(public_jwk(key, key_id()))


def _ward_or_404(ward_id: int | None):
    if ward_id is None:
        return None
    ward = db.session.get(Ward, ward_id)
    if ward is None:
        abort(404)
    return ward


@bp.route("/credentials/issuer", defaults={"ward_id": None}, endpoint="instance_issuer")
@bp.route("/credentials/issuers/<int:ward_id>", endpoint="ward_issuer")
def issuer(ward_id: int | None):
    return _public_json(issuer_profile(_ward_or_404(ward_id)), "application/ld+json")


@bp.route("/credentials/issuer/status", defaults={"ward_id": None}, endpoint="instance_status_list")
@bp.route("/credentials/issuers/<int:ward_id>/status", endpoint="ward_status_list")
def status_list(ward_id: int | None):
    ward = _ward_or_404(ward_id)
    token = status_list_jwt(ward, status_indexes_set(ward_id), highest_status_index())
    response = Response(token, mimetype=MEDIA_TYPE)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
