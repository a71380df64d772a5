"""Plain-language error pages in the reader's language, with the right status code."""
from __future__ import annotations

import logging
import sqlite3

import sqlalchemy.exc
from flask import g, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from lms.extensions import db, htmx
from lms.web import PublicAddressMissing

log = logging.getLogger("lms.errors")


def _messages(code: int) -> tuple[str, str]:
    return {
        400: (_("Yêu cầu chưa đúng"), _("Trang không hiểu yêu cầu này. Hãy quay lại và thử lại.")),
        401: (_("Cần đăng nhập"), _("Hãy đăng nhập để tiếp tục.")),
        403: (_("Bạn không có quyền xem trang này"),
              _("Trang này dành cho người khác. Nếu bạn nghĩ đây là nhầm lẫn, hãy hỏi cán bộ phường.")),
        404: (_("Không tìm thấy trang"),
              _("Trang bạn tìm không có hoặc đã được gỡ bỏ. Hãy kiểm tra lại đường link.")),
        405: (_("Yêu cầu chưa đúng"), _("Trang không nhận yêu cầu theo cách này.")),
        413: (_("Tệp quá lớn"), _("Tệp bạn gửi lớn hơn mức cho phép.")),
        429: (_("Thử lại sau ít phút"),
              _("Bạn đã thử quá nhiều lần trong thời gian ngắn. Hãy đợi một chút rồi thử lại.")),
        500: (_("Có lỗi xảy ra"),
              _("Hệ thống gặp sự cố và chưa lưu thay đổi nào của bạn. Hãy thử lại sau ít phút.")),
        503: (_("Hệ thống tạm thời gián đoạn"),
              _("Máy chủ chưa kết nối được với cơ sở dữ liệu nên chưa lưu gì của lần này. Hãy đợi một "
                "lát rồi tải lại trang; những gì bạn đã lưu trước đó vẫn còn nguyên.")),
        507: (_("Máy chủ đã hết chỗ lưu"),
              _("Thay đổi của bạn chưa được lưu vì ổ đĩa của máy chủ đã đầy. Những gì đã lưu trước đó vẫn "
                "còn nguyên. Hãy báo người quản trị máy chủ.")),
    }.get(code, (_("Có lỗi xảy ra"), _("Hãy thử lại sau ít phút.")))


def render_error(code: int, title: str | None = None, message: str | None = None):
    default_title, default_message = _messages(code)
    template = "errors/_error.html" if htmx else "errors/error.html"
    return (
        render_template(template, code=code, title=title or default_title, message=message or default_message),
        code,
    )


# Errors that say the database cannot be reached or cannot write, rather than that the code is
# wrong: SQLAlchemy's own, and the driver's raised by the few reads run on its cursor (lms.fastread).
try:
    import psycopg
    _DRIVER_ERRORS: tuple[type[Exception], ...] = (sqlite3.OperationalError, psycopg.OperationalError)
except ImportError:  # pragma: no cover - psycopg is a dependency
    _DRIVER_ERRORS = (sqlite3.OperationalError,)
DATABASE_UNAVAILABLE = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError,
                        sqlalchemy.exc.DisconnectionError, *_DRIVER_ERRORS)


def disk_full(error: Exception) -> bool:
    """SQLite's "database or disk is full" (SQLITE_FULL) or PostgreSQL's disk_full (53100)."""
    original = getattr(error, "orig", None) or error
    if getattr(original, "sqlite_errorname", None) == "SQLITE_FULL":
        return True
    if getattr(original, "sqlstate", None) == "53100":
        return True
    return "database or disk is full" in str(original)


def _forget_the_request_database_state() -> None:
    """Roll back what the request began, and sign nobody in for the error page itself: the layout
    must not ask the database who is reading while the database is what failed."""
    from lms.accounts.principal import ANONYMOUS

    try:
        db.session.rollback()
    except Exception:  # the connection is gone: drop the session, the pool reconnects later
        log.warning("rollback after a database error failed; session dropped", exc_info=True)
        db.session.remove()
    g._login_user = ANONYMOUS  # Flask-Login's per-request user


def init_app(app) -> None:
    def database_unavailable(error):
        _forget_the_request_database_state()
        if disk_full(error):
            log.error("database or disk full on %s %s: nothing written", request.method, request.path)
            return render_error(507)
        # PostgreSQL down or restarting, SQLite locked past its busy wait: nothing was written (the
        # transaction is rolled back) and the pool checks each connection before use (pool_pre_ping),
        # so the next request after the database is back is served as usual.
        log.error("database unavailable on %s %s: %s", request.method, request.path, error)
        body, status = render_error(503)
        return body, status, {"Retry-After": "30"}

    for kind in DATABASE_UNAVAILABLE:
        app.register_error_handler(kind, database_unavailable)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        db.session.rollback()
        return render_error(
            400,
            _("Trang đã mở quá lâu"),
            _("Để bảo vệ tài khoản, trang cần được tải lại. Hãy quay lại, tải lại trang và gửi lại."),
        )

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        # A Host header outside TRUSTED_HOSTS: no URL can be built for it, so no page around it.
        db.session.rollback()
        return app.response_class(_("Yêu cầu chưa đúng"), status=400, mimetype="text/plain")

    @app.errorhandler(PublicAddressMissing)
    def public_address_missing(error):
        db.session.rollback()
        log.warning("LMS_PUBLIC_URL is not set: %s %s cannot sign or print links", request.method, request.path)
        return render_error(
            503,
            _("Chưa đặt địa chỉ của trang"),
            _("Để in mã QR, thẻ đăng nhập, chứng nhận và ký chứng nhận điện tử, máy chủ cần biết địa chỉ "
              "mà học viên mở trang này. Người quản trị máy chủ hãy đặt biến LMS_PUBLIC_URL (ví dụ "
              "http://192.168.1.10:8000) hoặc LMS_TRUSTED_HOSTS, rồi khởi động lại. Chưa có gì thay đổi."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        code = error.code or 500
        if code == 401 and htmx:
            # An expired session mid-htmx: send the whole page to sign-in, then back here.
            response = app.response_class(status=401)
            response.headers["HX-Redirect"] = url_for("accounts.login", next=request.full_path)
            return response
        return render_error(code)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        db.session.rollback()
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
