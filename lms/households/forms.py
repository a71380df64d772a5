"""Forms of the households feature."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional


class HouseholdForm(FlaskForm):
    name = StringField(
        _l("Tên hộ"),
        validators=[DataRequired(_l("Hãy nhập tên hộ.")), Length(max=160)],
    )
    group_id = SelectField(_l("Tổ dân phố / thôn"), coerce=int, validators=[Optional()])
