"""Command line: `flask --app wsgi admin create`, `flask --app wsgi demo load`, `content …`."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from lms.extensions import db

admin_cli = AppGroup("admin", help="Quản trị: tạo tài khoản quản trị. / Administration.")
demo_cli = AppGroup("demo", help="Dữ liệu mẫu. / Demo data.")


@admin_cli.command("create")
@click.option("--name", prompt="Họ và tên / Full name")
@click.option("--phone", prompt="Số điện thoại / Mobile number")
@click.option("--password", prompt="Mật khẩu (ít nhất 8 ký tự) / Password (8+ characters)",
              hide_input=True, confirmation_prompt=True)
def create_admin(name: str, phone: str, password: str) -> None:
    """Create an administrator who signs in with a password.

    For someone who already has an account: make them administrator with this password (it is
    also how an administrator's forgotten password is replaced, as nobody may do that on the web).
    Their printed cards stop working and every sign-in ends (lms.accounts.policy).
    """
    from lms.accounts.phone import InvalidPhone
    from lms.accounts.people import create_person, grant_role
    from lms.accounts.services import AccountError, check_new_secret, find_by_phone, hash_secret
    from lms.accounts.signins import end_all_sessions
    from lms.accounts.cards import revoke_person_cards

    try:
        existing = find_by_phone(phone)
        if existing:
            check_new_secret("password", password)
            grant_role(existing, "admin")
            existing.secret_hash = hash_secret(password)
            existing.secret_kind = "password"
            existing.failed_logins = 0
            existing.locked_until = None
            revoke_person_cards(existing)
            end_all_sessions(existing)
            db.session.commit()
            click.echo(f"Đã cấp quyền quản trị cho {existing.full_name}; đăng nhập bằng mật khẩu vừa nhập.")
            return
        user = create_person(full_name=name, phone=phone, secret=password, secret_kind="password",
                             roles=("admin",))
    except InvalidPhone:
        raise click.ClickException("Số điện thoại chưa đúng / invalid Vietnamese mobile number") from None
    except AccountError as exc:
        from lms.accounts.routes import ACCOUNT_MESSAGES

        message = ACCOUNT_MESSAGES.get(exc.code)
        raise click.ClickException(message() if message else exc.code) from None
    db.session.commit()
    click.echo(f"Đã tạo tài khoản quản trị {user.full_name} ({user.phone}).")


@demo_cli.command("load")
def load_demo_command() -> None:
    """Load the demo ward (idempotent) and print the demo sign-ins."""
    from lms.accounts.phone import display_phone
    from lms.demo import load_demo

    sign_ins = load_demo()
    db.session.commit()
    click.echo("Tài khoản thử / demo sign-ins:")
    for s in sign_ins:
        click.echo(f"  {s.role:<12} {s.name:<22} {display_phone('+84' + s.phone[1:]):<14} PIN {s.pin}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(admin_cli)
    app.cli.add_command(demo_cli)
    from lms.courses.cli import content_cli

    app.cli.add_command(content_cli)
    from lms.backup.cli import register as register_backup

    register_backup(app)
