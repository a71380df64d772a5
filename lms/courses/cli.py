"""`flask content check` and `flask content sync`."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

content_cli = AppGroup("content", help="Kiểm tra và nạp nội dung khoá học. / Check and load course content.")


def _root(path: str | None) -> Path:
    return Path(path or current_app.config["CONTENT_DIR"])


@content_cli.command("check")
@click.argument("path", required=False)
def check_command(path: str | None) -> None:
    """Print every problem as file:line: message; exit 1 if there is any."""
    from lms.content.check import check_tree

    problems = check_tree(_root(path))
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"Có {len(problems)} lỗi cần sửa. / {len(problems)} problem(s) to fix.", err=True)
        raise SystemExit(1)
    click.echo("Nội dung không có lỗi. / Content is valid.")


@content_cli.command("sync")
@click.argument("path", required=False)
def sync_command(path: str | None) -> None:
    """Load content into the database; safe to run again and again."""
    from lms.courses.loader import ContentInvalid, sync_content
    from lms.extensions import db

    try:
        with current_app.test_request_context():
            report = sync_content(_root(path))
    except ContentInvalid as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(str(problem))
        click.echo("Nội dung có lỗi nên chưa nạp gì. / Content has problems; nothing was loaded.", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(
        f"Mới: {len(report.created)}, cập nhật: {len(report.updated)}, cho nghỉ: {len(report.retired)}, "
        f"không đổi: {report.unchanged}. / created {len(report.created)}, updated {len(report.updated)}, "
        f"retired {len(report.retired)}, unchanged {report.unchanged}."
    )
