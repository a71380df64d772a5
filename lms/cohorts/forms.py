"""Forms of the cohorts feature; labels are lazy so they follow the reader's language."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from lms.accounts.forms import _valid_phone
from lms.accounts.models import ERASURE_REASONS
from lms.courses.models import AUDIENCES


def audience_choices():
    from lms.templating import audience_label

    return [(a, audience_label(a)) for a in AUDIENCES]


class CohortForm(FlaskForm):
    name = StringField(_l("Tên lớp"), validators=[DataRequired(_l("Hãy nhập tên lớp.")), Length(max=160)])
    # No `required`: a select always has a value, and the HTML checker rejects required selects.
    audience = SelectField(_l("Dành cho"))
    ward_id = SelectField(_l("Phường/xã"), coerce=int, validators=[Optional()])
    group_id = SelectField(_l("Tổ dân phố, thôn hoặc chợ"), coerce=int, validators=[Optional()])
    instructors = SelectMultipleField(_l("Giảng viên"), coerce=int, validators=[Optional()])
    courses = SelectMultipleField(_l("Khoá học của lớp"), coerce=int, validators=[Optional()])

    def validate_audience(self, field):
        if field.data not in AUDIENCES:
            raise ValidationError(_l("Hãy chọn đối tượng của lớp."))


class NewLearnerForm(FlaskForm):
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(_l("Hãy nhập họ và tên.")), Length(max=120)])
    phone = StringField(
        _l("Số điện thoại"),
        validators=[Optional(), Length(max=32), _valid_phone],
        render_kw={"autocomplete": "off", "inputmode": "tel"},
    )
    # Asked only when the number already belongs to someone else of the ward (a housemate).
    share_phone = BooleanField(_l("Đây là người khác, dùng chung số điện thoại này với người trong nhà."))
    # Set by the "Người khác" button when people of the same name, birth year and group exist.
    different_person = BooleanField()
    birth_year = IntegerField(
        _l("Năm sinh"),
        validators=[Optional(), NumberRange(1900, None, _l("Năm sinh chưa đúng."))],
        render_kw={"inputmode": "numeric"},
    )
    group_id = SelectField(_l("Tổ dân phố / thôn"), coerce=int, validators=[Optional()])
    household = StringField(_l("Hộ gia đình (không bắt buộc)"), validators=[Optional(), Length(max=160)])
    consent = BooleanField(
        _l("Người học đã được giải thích và đồng ý cho phường lưu họ tên, số điện thoại, năm sinh "
           "để tổ chức lớp học."),
        validators=[DataRequired(_l("Cần có sự đồng ý của người học trước khi lưu thông tin."))],
    )
    needs_support = BooleanField(_l("Cần hỗ trợ tiếp cận (chữ to, đọc to, người hỗ trợ…)"))
    support_consent = BooleanField(
        _l("Người học đồng ý riêng cho việc ghi nhận nhu cầu hỗ trợ tiếp cận; giảng viên của lớp sẽ biết "
           "để hỗ trợ.")
    )

    def validate_birth_year(self, field):
        if field.data is not None and field.data > date.today().year:
            raise ValidationError(_l("Năm sinh chưa đúng."))

    def validate_support_consent(self, field):
        if self.needs_support.data and not field.data:
            raise ValidationError(_l("Chỉ ghi nhận nhu cầu hỗ trợ tiếp cận khi người học đồng ý riêng."))


class UploadForm(FlaskForm):
    sheet = FileField(_l("Tệp danh sách (Excel .xlsx, CSV hoặc Unicode Text .txt, tối đa 5 MB)"),
                      validators=[FileRequired(_l("Hãy chọn tệp danh sách."))])


class ConfirmImportForm(FlaskForm):
    consent = BooleanField(
        _l("Tôi xác nhận những người trong danh sách đã được giải thích và đồng ý cho phường lưu thông tin "
           "của họ để tổ chức lớp học."),
        # Required only when someone in the list has not consented before (the view checks).
        validators=[Optional()],
    )
    support_consent = BooleanField(
        _l("Những người được ghi “cần hỗ trợ tiếp cận” đã đồng ý riêng cho việc ghi nhận này. "
           "Nếu không đánh dấu, nhu cầu này sẽ không được lưu.")
    )


class AddGroupsForm(FlaskForm):
    confirm = BooleanField(
        _l("Tôi xác nhận các tổ dân phố, thôn hoặc chợ này thuộc phường và muốn thêm chúng."),
        validators=[DataRequired(_l("Hãy đánh dấu để xác nhận."))],
    )


class SessionForm(FlaskForm):
    day = DateField(_l("Ngày học"), validators=[InputRequired(_l("Hãy chọn ngày học."))])
    starts_at = TimeField(_l("Giờ bắt đầu"), validators=[InputRequired(_l("Hãy nhập giờ bắt đầu."))])
    place = StringField(_l("Địa điểm"), validators=[DataRequired(_l("Hãy nhập địa điểm.")), Length(max=200)])


class JoinForm(FlaskForm):
    code = StringField(
        _l("Mã lớp"),
        validators=[DataRequired(_l("Hãy nhập mã lớp.")), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    consent = BooleanField(
        _l("Tôi đồng ý cho phường lưu họ tên, số điện thoại và kết quả học của tôi để tổ chức lớp học.")
    )


class EraseForm(FlaskForm):
    reason = SelectField(_l("Lý do xoá"), choices=[])
    confirm = BooleanField(
        _l("Tôi hiểu rằng việc xoá không thể hoàn tác."),
        validators=[DataRequired(_l("Hãy đánh dấu để xác nhận."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            "asked": _l("Người này yêu cầu xoá dữ liệu"),
            "consent_withdrawn": _l("Người này rút lại sự đồng ý"),
            "no_longer_needed": _l("Dữ liệu không còn cần cho mục đích đã nêu"),
        }
        self.reason.choices = [(r, labels[r]) for r in ERASURE_REASONS]
