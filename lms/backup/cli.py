"""`flask backup DEST`, `flask restore SRC [--force]`, `flask move-to-postgresql --to URL`."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.backup.sqlite import BackupError


def _carried_out(action, *args, **kwargs):
    """Run a backup, restore or move; any refusal or failure becomes one message and exit status 1."""
    try:
        return action(*args, **kwargs)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(
            f"Tệp SQLite hỏng hoặc không đọc được ({exc}); không có gì bị ghi đè. / "
            f"A SQLite file is damaged or unreadable ({exc}); nothing was overwritten.") from None
    except OSError as exc:
        raise click.ClickException(f"Không đọc hoặc ghi được {exc.filename or ''}: {exc.strerror or exc}. / "
                                   f"Cannot read or write {exc.filename or ''}: {exc.strerror or exc}.") from None


@click.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
@with_appcontext
def backup_command(dest: Path) -> None:
    """Back up the running SQLite database and the instance keys.

    DEST is a new folder, a new .tar.gz file, or an existing folder that receives
    lop-so-YYYYMMDD-HHMMSS.tar.gz. On PostgreSQL, use pg_dump (README).
    """
    from lms.backup.services import back_up

    result = _carried_out(back_up, current_app, dest)
    rows = sum(result.manifest["tables"].values())
    click.echo(f"Đã sao lưu {rows} dòng ({len(result.manifest['tables'])} bảng) và "
               f"{len(result.manifest['files']) - 1} tệp khoá vào {result.path}. / "
               f"Backed up {rows} rows and the instance keys to {result.path}.")
    click.echo("Bản sao lưu chứa khoá ký chứng chỉ: hãy cất giữ cẩn thận. / "
               "The backup holds the signing key: keep it safe.")


@click.command("restore")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True,
              help="Ghi đè cơ sở dữ liệu đã có dữ liệu. / Overwrite a database that holds data.")
@with_appcontext
def restore_command(source: Path, force: bool) -> None:
    """Restore a backup (folder or .tar.gz) into this instance; stop the app first."""
    from lms.backup.services import restore

    result = _carried_out(restore, current_app, source, force=force)
    rows = sum(result.manifest["tables"].values())
    click.echo(f"Đã khôi phục bản sao lưu lúc {result.manifest['created_at']}: {rows} dòng, số dòng từng bảng "
               f"khớp manifest. / Restored the backup of {result.manifest['created_at']}: {rows} rows, every "
               "table's count matches the manifest.")
    for note in result.notes:
        click.echo(note)
    if result.behind_head:
        click.echo("Bản sao lưu từ phiên bản cũ hơn: hãy chạy `flask --app wsgi db upgrade`. / "
                   "The backup predates this version: run `flask --app wsgi db upgrade`.")


@click.command("move-to-postgresql")
@click.option("--to", "url", required=True, metavar="URL",
              help="Cơ sở dữ liệu PostgreSQL trống, ví dụ postgresql://lopso@127.0.0.1/lopso. / "
                   "An empty PostgreSQL database.")
@click.option("--batch", default=1000, show_default=True,
              help="Số dòng đọc và gửi mỗi lần. / Rows read and sent at a time.")
@with_appcontext
def move_command(url: str, batch: int) -> None:
    """Copy this ward's SQLite data into an empty PostgreSQL database, all or nothing."""
    from lms.backup.postgresql import move_to_postgresql

    def progress(table: str, count: int) -> None:
        click.echo(f"  {table}: {count}")

    result = _carried_out(move_to_postgresql, current_app, url, batch=batch, progress=progress)
    rows = sum(result.tables.values())
    click.echo(f"Đã chuyển {rows} dòng của {len(result.tables)} bảng sang PostgreSQL. / "
               f"Moved {rows} rows in {len(result.tables)} tables to PostgreSQL.")
    click.echo("Tiếp theo: đặt DATABASE_URL tới cơ sở dữ liệu này, và dùng cùng SECRET_KEY (instance/secret_key) "
               "và LMS_SIGNING_KEY (instance/signing_key.pem) để chứng chỉ đã cấp vẫn xác minh được. / "
               "Next: set DATABASE_URL to this database and keep the same SECRET_KEY and LMS_SIGNING_KEY, so "
               "certificates issued so far still verify.")


def register(app) -> None:
    for command in (backup_command, restore_command, move_command):
        app.cli.add_command(command)
