"""The ward's own structure: add, rename, merge and retire its residential groups and markets."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.policy import manages_ward
from lms.extensions import db
from lms.wards import bp
from lms.wards.models import GROUP_KINDS, ResidentialGroup, Ward
from lms.wards.services import WardError, active_groups, add_group, merge_groups, people_in, rename_group, retire_group
from lms.web import database_id, role_required


def ward_or_404(ward_id: int) -> Ward:
    """A ward the signed-in person manages (lms.accounts.policy.manages_ward); any other is 404."""
    ward = db.session.get(Ward, ward_id)
    if ward is None or not manages_ward(current_user, ward.id):
        abort(404)
    return ward


def group_or_404(ward: Ward, group_id: int | None) -> ResidentialGroup:
    group = db.session.get(ResidentialGroup, group_id) if group_id else None
    if group is None or group.ward_id != ward.id:
        abort(404)
    return group


def kind_labels() -> dict[str, str]:
    return {"to_dan_pho": _("Tổ dân phố"), "thon": _("Thôn"), "cho": _("Chợ")}


def error_text(code: str) -> str:
    return {
        "group_name_required": lambda: _("Hãy nhập tên."),
        "group_name_taken": lambda: _("Phường đã có một tổ, thôn hoặc chợ tên này (có thể đã ngừng dùng)."),
        "group_kind": lambda: _("Hãy chọn loại: tổ dân phố, thôn hoặc chợ."),
        "merge_invalid": lambda: _("Hãy chọn một tổ, thôn hoặc chợ khác, đang dùng, của phường để gộp vào."),
    }.get(code, lambda: _("Yêu cầu chưa thực hiện được."))()


def _page(ward: Ward, status: int = 200, error: str | None = None):
    groups = list(db.session.scalars(db.select(ResidentialGroup).where(ResidentialGroup.ward_id == ward.id)
                                     .order_by(ResidentialGroup.retired_at.is_not(None), ResidentialGroup.name)))
    counts = {g.id: people_in(g) for g in groups}
    return render_template("wards/groups.html", ward=ward, groups=groups, counts=counts, active=active_groups(ward.id),
                           kinds=kind_labels(), error=error), status


@bp.route("/wards/<int:ward_id>/groups", methods=["GET"])
@role_required("coordinator", "admin")
def groups(ward_id: int):
    return _page(ward_or_404(ward_id))


def _done(ward: Ward, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("wards.groups", ward_id=ward.id))


def _refused(ward: Ward, exc: WardError):
    db.session.rollback()
    return _page(ward, 422, error_text(exc.code))


@bp.route("/wards/<int:ward_id>/groups", methods=["POST"])
@role_required("coordinator", "admin")
def add(ward_id: int):
    ward = ward_or_404(ward_id)
    kind = request.form.get("kind") or None
    try:
        if kind is not None and kind not in GROUP_KINDS:
            raise WardError("group_kind")
        group = add_group(ward.id, request.form.get("name", ""), kind)
    except WardError as exc:
        return _refused(ward, exc)
    return _done(ward, _("Đã thêm “%(name)s”.", name=group.name))


@bp.route("/wards/<int:ward_id>/groups/<int:group_id>/rename", methods=["POST"])
@role_required("coordinator", "admin")
def rename(ward_id: int, group_id: int):
    ward = ward_or_404(ward_id)
    group = group_or_404(ward, group_id)
    try:
        rename_group(group, request.form.get("name", ""), request.form.get("kind") or None)
    except WardError as exc:
        return _refused(ward, exc)
    return _done(ward, _("Đã đổi tên thành “%(name)s”.", name=group.name))


@bp.route("/wards/<int:ward_id>/groups/<int:group_id>/merge", methods=["POST"])
@role_required("coordinator", "admin")
def merge(ward_id: int, group_id: int):
    ward = ward_or_404(ward_id)
    group = group_or_404(ward, group_id)
    target = db.session.get(ResidentialGroup, request.form.get("into", type=database_id) or 0)
    if target is None or target.ward_id != ward.id:
        return _page(ward, 422, error_text("merge_invalid"))
    if request.form.get("confirm") != "y":
        return _page(ward, 422, _("Hãy đánh dấu để xác nhận việc gộp."))
    try:
        moved = merge_groups(group, target)
    except WardError as exc:
        return _refused(ward, exc)
    return _done(ward, _("Đã gộp “%(source)s” vào “%(target)s”: %(num)d người được chuyển.",
                         source=group.name, target=target.name, num=moved))


@bp.route("/wards/<int:ward_id>/groups/<int:group_id>/retire", methods=["POST"])
@role_required("coordinator", "admin")
def retire(ward_id: int, group_id: int):
    ward = ward_or_404(ward_id)
    group = group_or_404(ward, group_id)
    retire_group(group)
    return _done(ward, _("“%(name)s” đã ngừng dùng; người đã ở đó vẫn được giữ nguyên.", name=group.name))
