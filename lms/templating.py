"""Template helpers: dates as dd/mm/yyyy, phone numbers, versioned static files."""
from __future__ import annotations

import gzip
import hashlib
import mimetypes
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from flask import request
from flask_babel import format_date, format_datetime, get_locale

from lms.accounts.phone import display_phone


@lru_cache(maxsize=256)
def _static_version(static_folder: str, filename: str) -> str | None:
    path = Path(static_folder) / filename
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


_TEXT_TYPES = {".css", ".js", ".svg", ".json", ".txt"}


@lru_cache(maxsize=64)
def _compressed(path: str, mtime: float, encoding: str) -> bytes:
    data = Path(path).read_bytes()
    if encoding == "br":
        import brotli

        return brotli.compress(data, quality=11)
    return gzip.compress(data, compresslevel=9, mtime=0)


def _compressed_static(app):
    """Serve CSS, JS and SVG compressed once and kept in memory: a ward may have no proxy."""
    plain = app.send_static_file

    def static(filename: str):
        path = Path(app.static_folder) / filename
        accepted = request.headers.get("Accept-Encoding", "")
        encoding = "br" if "br" in accepted else "gzip" if "gzip" in accepted else None
        if encoding is None or path.suffix not in _TEXT_TYPES or not path.is_file() or ".." in filename:
            return plain(filename)
        body = _compressed(str(path), path.stat().st_mtime, encoding)
        response = app.response_class(body, mimetype=mimetypes.guess_type(filename)[0] or "application/octet-stream")
        response.headers["Content-Encoding"] = encoding
        response.headers["Vary"] = "Accept-Encoding"
        response.headers["Cache-Control"] = "public, max-age=3600"
        response.set_etag(f"{encoding}-{_static_version(app.static_folder, filename)}")
        return response.make_conditional(request)

    return static


def current_lang() -> str:
    return str(get_locale() or "vi")


def pick(value, lang: str | None = None):
    """Choose the reader's language from a {vi, en} mapping, falling back to Vietnamese."""
    if not isinstance(value, dict):
        return value
    lang = lang or current_lang()
    return value.get(lang) or value.get("vi") or ""


def init_app(app) -> None:
    @app.url_defaults
    def version_static(endpoint, values):
        # A content hash in every static URL lets browsers keep the file for a year.
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = _static_version(app.static_folder, values["filename"])
            if version:
                values["v"] = version

    app.view_functions["static"] = _compressed_static(app)

    @app.after_request
    def cache_static(response):
        if request.endpoint == "static" and request.args.get("v"):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    @app.template_filter("date")
    def _date(value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return format_datetime(value, "dd/MM/yyyy")
        return format_date(value, "dd/MM/yyyy")

    @app.template_filter("datetime")
    def _datetime(value: datetime | None) -> str:
        return format_datetime(value, "HH:mm dd/MM/yyyy") if value else ""

    app.add_template_filter(display_phone, "phone")
    app.add_template_filter(pick, "pick")
    app.jinja_env.globals["current_lang"] = current_lang
    app.jinja_env.globals["audience_label"] = audience_label
    app.jinja_env.globals["quiz_title"] = quiz_title
    app.add_template_filter(money, "money")
    app.jinja_env.globals["competence_name"] = competence_label
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def audience_label(key: str) -> str:
    from lms.content.model import AUDIENCES

    return pick(AUDIENCES.get(key, {"vi": key}))


def competence_label(code: str) -> str:
    from lms.content.competences import competence_name

    return competence_name(code, current_lang()) or code


def money(amount) -> str:
    """Vietnamese money as people read it: 10.000.000 đồng."""
    try:
        value = int(amount)
    except (TypeError, ValueError):
        return str(amount or "")
    return f"{value:,}".replace(",", ".") + " đ"


def quiz_title(quiz) -> str:
    from flask_babel import gettext as _

    if quiz.kind == "final":
        return _("Bài kiểm tra cuối khoá")
    if quiz.lesson is not None:
        return _("Kiểm tra nhanh: %(title)s", title=pick(quiz.lesson.title))
    return _("Kiểm tra nhanh")
