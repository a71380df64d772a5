from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectMultipleField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from lms.live.planning import MAX_SERIES

WEEKDAYS = [SelectChoice(str(n), label) for n, label in enumerate(
    (_l("Thứ Hai"), _l("Thứ Ba"), _l("Thứ Tư"), _l("Thứ Năm"), _l("Thứ Sáu"), _l("Thứ Bảy"), _l("Chủ nhật"))
)]


class ScheduleForm(FlaskForm):
    day = DateField(_l("Ngày học (buổi đầu tiên)"), validators=[InputRequired(_l("Hãy chọn ngày học."))])
    starts_at = TimeField(_l("Giờ bắt đầu"), validators=[InputRequired(_l("Hãy nhập giờ bắt đầu."))])
    place = StringField(_l("Địa điểm"), validators=[DataRequired(_l("Hãy nhập địa điểm.")), Length(max=200)])
    weekdays = SelectMultipleField(_l("Lặp lại hằng tuần vào (bỏ trống nếu chỉ một buổi)"), choices=WEEKDAYS,
                                   widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                   validate_choice=True)
    count = IntegerField(_l("Số buổi"), default=1, validators=[
        Optional(), NumberRange(min=1, max=MAX_SERIES, message=_l("Số buổi phải từ 1 đến 52."))])
