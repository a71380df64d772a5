"""Forms: look up a code, revoke, attest an in-person pass, export, choose how your name shows."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, ValidationError

from lms.web import database_id

_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$")


def parse_vn_date(text: str | None) -> date | None:
    """dd/mm/yyyy (also with . or -) to a date; None when it is not a real date."""
    match = _DATE.match(text or "")
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


# Dates staff type (exports, attestations) lie in this span; later ones would overflow the
# date arithmetic of a period (its end plus one day) instead of meaning anything.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)


def _vn_date(form, field):
    if not field.data:
        return
    parsed = parse_vn_date(field.data)
    if parsed is None:
        raise ValidationError(_l("Ngày chưa đúng. Hãy viết theo dạng ngày/tháng/năm, ví dụ 15/10/2025."))
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:
        raise ValidationError(_l("Hãy chọn một ngày từ 01/01/2000 đến 31/12/2099."))
    field.parsed = parsed


class _GetForm(FlaskForm):
    """A form sent by GET: nothing changes, so no CSRF token (and the URL can be shared)."""

    class Meta:
        csrf = False


class VerifyForm(_GetForm):
    code = StringField(
        _l("Mã chứng nhận"),
        validators=[InputRequired(_l("Hãy nhập mã chứng nhận.")), Length(max=40)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                   "placeholder": "XXXX-XXXX-XXXX-X"},
    )


class RevokeForm(FlaskForm):
    # The public reason is one of a fixed list (certificates.manage.REVOKE_REASONS); choices are
    # filled by the view in the reader's language.
    reason_code = RadioField(
        _l("Lý do thu hồi (hiện công khai)"),
        choices=[],
        validators=[InputRequired(_l("Hãy chọn lý do thu hồi."))],
    )
    note = TextAreaField(
        _l("Ghi chú riêng (không bắt buộc)"),
        validators=[Length(max=500, message=_l("Ghi chú dài quá 500 ký tự."))],
        render_kw={"rows": 3},
    )
    confirm = BooleanField(
        _l("Tôi hiểu: sau khi thu hồi, trang kiểm tra sẽ báo chứng nhận này không còn hiệu lực."),
        validators=[DataRequired(_l("Hãy đánh dấu xác nhận trước khi thu hồi."))],
    )


class AttestForm(FlaskForm):
    # Membership is checked by the service, which says in words what is wrong.
    learner_id = SelectField(_l("Học viên"), coerce=database_id, validate_choice=False,
                             validators=[DataRequired(_l("Hãy chọn học viên."))])
    course_id = SelectField(_l("Khoá học"), coerce=database_id, validate_choice=False,
                            validators=[DataRequired(_l("Hãy chọn khoá học."))])
    assessed_on = StringField(
        _l("Ngày đánh giá (ngày/tháng/năm)"),
        validators=[InputRequired(_l("Hãy nhập ngày đánh giá.")), _vn_date],
        render_kw={"inputmode": "numeric", "placeholder": "15/10/2025", "autocomplete": "off"},
    )
    assessment_kind = RadioField(
        _l("Hình thức đánh giá"),
        choices=[SelectChoice("live", _l("Đánh giá trực tiếp tại lớp")),
                 SelectChoice("paper", _l("Bài kiểm tra trên giấy"))],
        validate_choice=False,
        validators=[InputRequired(_l("Hãy chọn hình thức đánh giá.")),
                    AnyOf(("live", "paper"), _l("Hãy chọn hình thức đánh giá."))],
    )
    confirm = BooleanField(
        _l("Tôi xác nhận học viên đã tham gia lớp học và đã đạt bài đánh giá."),
        validators=[DataRequired(_l("Hãy đánh dấu xác nhận."))],
    )


class ExportForm(_GetForm):
    start = StringField(
        _l("Từ ngày"), validators=[InputRequired(_l("Hãy nhập ngày bắt đầu.")), _vn_date],
        render_kw={"inputmode": "numeric", "placeholder": "01/01/2025", "autocomplete": "off"},
    )
    end = StringField(
        _l("Đến ngày"), validators=[InputRequired(_l("Hãy nhập ngày kết thúc.")), _vn_date],
        render_kw={"inputmode": "numeric", "placeholder": "31/12/2025", "autocomplete": "off"},
    )
    ward_id = SelectField(_l("Phường/xã"), coerce=database_id, validate_choice=False)
    format = RadioField(
        _l("Định dạng tệp"),
        choices=[SelectChoice("xlsx", _l("Excel (.xlsx)")), SelectChoice("csv", _l("CSV (.csv, UTF-8)"))],
        default="xlsx",
        validate_choice=False,
        validators=[InputRequired(_l("Hãy chọn định dạng tệp.")),
                    AnyOf(("xlsx", "csv"), _l("Hãy chọn định dạng tệp."))],
    )

    def validate_end(self, field):
        start, end = getattr(self.start, "parsed", None), getattr(field, "parsed", None)
        if start and end and end < start:
            raise ValidationError(_l("Ngày kết thúc phải sau ngày bắt đầu."))


class NameDisplayForm(FlaskForm):
    display = RadioField(
        _l("Trên trang kiểm tra công khai, tên của bạn hiện như thế nào?"),
        choices=[SelectChoice("initials", _l("Chỉ họ và chữ cái đầu")), SelectChoice("full", _l("Đầy đủ họ và tên"))],
        validate_choice=False,
        validators=[InputRequired(_l("Hãy chọn một cách hiện tên.")),
                    AnyOf(("initials", "full"), _l("Hãy chọn một cách hiện tên."))],
    )


class SignerForm(FlaskForm):
    """Who signs the ward's printed certificates. Both empty: the lines stay blank for a hand signature."""
    signer_title = StringField(
        _l("Chức vụ người ký"),
        filters=[lambda v: " ".join(v.split()) if v else v],
        validators=[Length(max=120, message=_l("Chức vụ dài quá 120 ký tự."))],
        render_kw={"autocomplete": "off", "placeholder": "Chủ tịch UBND phường"},
    )
    signer_name = StringField(
        _l("Họ và tên người ký"),
        filters=[lambda v: " ".join(v.split()) if v else v],
        validators=[Length(max=120, message=_l("Họ và tên dài quá 120 ký tự."))],
        render_kw={"autocomplete": "off"},
    )

    def validate_signer_title(self, field):
        if self.signer_name.data and not field.data:
            raise ValidationError(_l("Hãy nhập chức vụ của người ký."))

    def validate_signer_name(self, field):
        if self.signer_title.data and not field.data:
            raise ValidationError(_l("Hãy nhập họ và tên người ký."))
