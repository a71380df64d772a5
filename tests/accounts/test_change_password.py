"""Staff who sign in with a password keep a password: "Đổi mã PIN" changes it, never into a PIN."""
import sqlalchemy as sa

from lms.accounts.models import User
from lms.accounts.people import create_person as create_user
from lms.accounts.services import verify_secret
from lms.extensions import db

PASSWORD = "mat-khau-cu-2026"


def make_admin():
    """As `flask admin create` makes one: a password, no ward."""
    admin = create_user(full_name="Quản Trị Viên", phone="0987654321", roles=("admin",), secret=PASSWORD,
                        secret_kind="password")
    db.session.commit()
    return admin


def sign_in(client, secret):
    return client.post("/login", data={"phone": "0987654321", "secret": secret})


def saved():
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.phone == "+84987654321"))


def test_the_page_speaks_of_a_password_to_someone_who_has_one(client, app):
    make_admin()
    sign_in(client, PASSWORD)
    page = client.get("/account/pin").get_data(as_text=True)
    assert "Đổi mật khẩu" in page and "Mật khẩu mới (ít nhất 8 ký tự)" in page
    assert "Mã PIN mới (6 chữ số)" not in page and 'maxlength="6"' not in page


def test_a_six_digit_pin_never_replaces_an_administrators_password(client, app):
    make_admin()
    sign_in(client, PASSWORD)
    response = client.post("/account/pin", data={"current": PASSWORD, "new": "135790", "confirm": "135790"})
    assert response.status_code == 422
    assert "Mật khẩu cần ít nhất 8 ký tự." in response.get_data(as_text=True)
    admin = saved()
    assert admin.secret_kind == "password" and verify_secret(admin.secret_hash, PASSWORD)
    assert sign_in(app.test_client(), "135790").status_code == 401


def test_an_administrator_changes_the_password_and_signs_in_with_it(client, app):
    make_admin()
    sign_in(client, PASSWORD)
    response = client.post("/account/pin", data={"current": PASSWORD, "new": "mat-khau-moi-2027",
                                                 "confirm": "mat-khau-moi-2027"})
    assert response.status_code == 302
    assert "Đã lưu mật khẩu mới" in client.get("/").get_data(as_text=True)
    assert saved().secret_kind == "password"
    assert sign_in(app.test_client(), "mat-khau-moi-2027").status_code == 302
    assert sign_in(app.test_client(), PASSWORD).status_code == 401


def test_the_service_refuses_to_turn_a_password_into_a_pin(app):
    from lms.accounts.services import AccountError, change_secret

    admin = make_admin()
    try:
        change_secret(admin, PASSWORD, "135790", "pin")
    except AccountError as exc:
        assert exc.code == "password_kept"
    else:
        raise AssertionError("a PIN replaced a password")
    db.session.rollback()
