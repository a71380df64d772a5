"""Sign-in and PIN forms; labels are lazy so they follow the reader's language."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from lms.accounts.phone import InvalidPhone, normalise_phone


def _valid_phone(form, field):
    try:
        field.data = normalise_phone(field.data)
    except InvalidPhone:
        raise ValidationError(
            _l("Số điện thoại chưa đúng. Hãy nhập số di động Việt Nam, ví dụ 0912 345 678.")
        ) from None


class LoginForm(FlaskForm):
    phone = StringField(
        _l("Số điện thoại"),
        validators=[InputRequired(_l("Hãy nhập số điện thoại.")), Length(max=32), _valid_phone],
        render_kw={"autocomplete": "tel", "inputmode": "tel", "placeholder": "0912 345 678"},
    )
    secret = PasswordField(
        _l("Mã PIN hoặc mật khẩu"),
        validators=[InputRequired(_l("Hãy nhập mã PIN hoặc mật khẩu.")), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class ChangePinForm(FlaskForm):
    current = PasswordField(
        _l("Mã PIN hoặc mật khẩu hiện tại"),
        validators=[InputRequired(_l("Hãy nhập mã hiện tại.")), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        _l("Mã PIN mới (6 chữ số)"),
        validators=[InputRequired(_l("Hãy nhập mã PIN mới.")), Length(max=128)],
        render_kw={"autocomplete": "new-password", "inputmode": "numeric", "maxlength": 6},
    )
    confirm = PasswordField(
        _l("Nhập lại mã PIN mới"),
        validators=[InputRequired(_l("Hãy nhập lại mã PIN mới.")), Length(max=128)],
        render_kw={"autocomplete": "new-password", "inputmode": "numeric", "maxlength": 6},
    )

    def validate_confirm(self, field):
        if field.data != self.new.data:
            raise ValidationError(_l("Hai lần nhập mã PIN mới không giống nhau."))


class ChangePasswordForm(ChangePinForm):
    """Staff who sign in with a password change the password: it never becomes a 6-digit PIN."""

    current = PasswordField(
        _l("Mật khẩu hiện tại"),
        validators=[InputRequired(_l("Hãy nhập mật khẩu hiện tại.")), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        _l("Mật khẩu mới (ít nhất 8 ký tự)"),
        validators=[InputRequired(_l("Hãy nhập mật khẩu mới.")), Length(max=128)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[InputRequired(_l("Hãy nhập lại mật khẩu mới.")), Length(max=128)],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_confirm(self, field):
        if field.data != self.new.data:
            raise ValidationError(_l("Hai lần nhập mật khẩu mới không giống nhau."))


class PersonForm(FlaskForm):
    full_name = StringField(
        _l("Họ và tên"), validators=[DataRequired(_l("Hãy nhập họ và tên.")), Length(max=120)]
    )
    phone = StringField(
        _l("Số điện thoại"),
        validators=[InputRequired(_l("Hãy nhập số điện thoại.")), Length(max=32), _valid_phone],
        render_kw={"autocomplete": "off", "inputmode": "tel"},
    )
    birth_year = IntegerField(
        _l("Năm sinh"),
        validators=[Optional(), NumberRange(1900, 2100, _l("Năm sinh chưa đúng."))],
        render_kw={"inputmode": "numeric"},
    )
    group_id = SelectField(_l("Tổ dân phố / thôn"), coerce=int, validators=[Optional()])
    email = StringField(
        _l("Thư điện tử (không bắt buộc)"),
        validators=[Optional(), Email(_l("Địa chỉ thư điện tử chưa đúng.")), Length(max=254)],
    )
    roles = SelectMultipleField(_l("Vai trò"), validators=[Optional()])
