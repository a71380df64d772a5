"""The command line: demo data and creating an administrator."""
import sqlalchemy as sa

from lms.accounts.models import User
from lms.cohorts.models import Cohort, Enrollment
from lms.extensions import db
from lms.wards.models import ResidentialGroup, Ward


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_demo_load_creates_one_ward_with_staff_and_three_cohorts_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "0900 000 001" in first.output and "PIN 246802" in first.output
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    assert (_count(Ward), _count(ResidentialGroup), _count(User), _count(Cohort), _count(Enrollment)) == (1, 2, 14, 3, 12)
    audiences = set(db.session.scalars(sa.select(Cohort.audience)))
    assert audiences == {"elderly", "disability", "traders"}


def test_demo_sign_ins_printed_by_the_command_work(app, client):
    app.test_cli_runner().invoke(args=["demo", "load"])
    response = client.post("/login", data={"phone": "0900 000 001", "secret": "246802"})
    assert response.status_code == 302
    assert "Người học" in client.get("/").get_data(as_text=True)  # the coordinator's menu


def test_admin_create_makes_a_password_admin(app, client):
    result = app.test_cli_runner().invoke(
        args=["admin", "create", "--name", "Quản Trị Viên", "--phone", "0911 222 333", "--password", "mat-khau-dai"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.phone == "+84911222333"))
    assert user.roles == {"admin"} and user.secret_kind == "password"
    assert client.post("/login", data={"phone": "0911222333", "secret": "mat-khau-dai"}).status_code == 302


def test_admin_create_refuses_a_bad_number_and_a_short_password(app):
    runner = app.test_cli_runner()
    bad_phone = runner.invoke(args=["admin", "create", "--name", "A", "--phone", "123", "--password", "mat-khau-dai"])
    assert bad_phone.exit_code != 0 and "Số điện thoại chưa đúng" in bad_phone.output
    short = runner.invoke(args=["admin", "create", "--name", "A", "--phone", "0911222334", "--password", "ngan"])
    assert short.exit_code != 0 and "Mật khẩu cần ít nhất 8 ký tự." in short.output
    assert _count(User) == 0


def test_the_home_page_leads_staff_to_their_work_and_learners_to_learning(app, client):
    app.test_cli_runner().invoke(args=["demo", "load"])
    client.post("/login", data={"phone": "0900 000 001", "secret": "246802"})
    staff = client.get("/").get_data(as_text=True)
    for url in ("/cohorts/", "/people/", "/households/", "/mentors/", "/certificates/manage/"):
        assert f'href="{url}"' in staff
    client.post("/logout")
    client.post("/login", data={"phone": "0900 000 101", "secret": "202510"})
    learner = client.get("/").get_data(as_text=True)
    assert "Công việc của bạn" not in learner and 'href="/people/"' not in learner
