"""Lớp Số: the application factory."""
from __future__ import annotations

import functools
import logging
import sqlite3

from babel import Locale

from flask import Flask, request, session
from sqlalchemy import event
from sqlalchemy.engine import Engine

from lms.config import Config
from lms.extensions import babel, compress, csrf, db, htmx, limiter, login_manager, migrate


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the app; `config` is a Config subclass or a dict of overrides (tests)."""
    app = Flask(__name__, instance_relative_config=True)
    from lms.web import DatabaseIdConverter

    app.url_map.converters["int"] = DatabaseIdConverter  # ids in URLs: bounded, else 404 (not a 500)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    Config.finalise(app)
    _configure_engine(app)
    from lms.sessions import SessionInterface

    app.session_interface = SessionInterface()
    if app.config["TRUSTED_PROXIES"]:
        # Behind nginx: take the client's address and https from the proxy's headers, so rate
        # limits count people, not the proxy, and printed links say https.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_root() / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_locale_selector(app), timezone_selector=lambda: "Asia/Ho_Chi_Minh")
    htmx.init_app(app)
    limiter.init_app(app)
    _limits_on_views_only(app)
    compress.init_app(app)

    _import_models()
    _register_blueprints(app)

    from lms import errors, fastread, pagecache, security, templating

    fastread.init_app(app)
    pagecache.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    templating.init_app(app)

    from lms.cli import register_cli

    register_cli(app)
    logging.getLogger("lms").setLevel(app.config.get("LOG_LEVEL", "INFO"))
    from lms import collector

    collector.init_app(app)  # outermost: on Python 3.11 no garbage collection inside a request's code
    return app


def _limits_on_views_only(app: Flask) -> None:
    """Every rate limit here sits on the view it guards (sign-in, verify, cards, joining), and a
    decorated view checks its own limits when it runs. Flask-Limiter's before-request pass only
    serves default, application and blueprint limits, which this app has none of, yet costs every
    request (about a tenth of a lesson page's time), so it is taken out while there are none."""
    from lms.extensions import limiter

    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return
    check = getattr(limiter, "_check_request_limit", None)  # Flask-Limiter's own name for the pass
    checks = app.before_request_funcs.get(None, [])
    if check is not None and check in checks:
        checks.remove(check)


def _root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent


def _configure_engine(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        # Threads share the file (gunicorn threads, the test server); WAL lets readers through.
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("check_same_thread", False)
        connect_args.setdefault("timeout", 15)
        options["connect_args"] = connect_args
    else:
        options.setdefault("pool_pre_ping", True)
        if uri.startswith("postgresql"):
            # No JIT: the app's queries are short, and one planned past jit_above_cost pays for
            # compiling itself (a year's certificate export of 30,000 rows, run as one statement:
            # 530 ms of its 660 ms; read through a cursor, as the export reads it, it is planned
            # for its first rows and was not compiled).
            connect_args = dict(options.get("connect_args") or {})
            connect_args.setdefault("options", "-c jit=off")
            options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: foreign keys on, WAL journal, and a busy wait instead of 'database is locked'."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()


def _import_models() -> None:
    """Import every feature's models so Alembic and relationships see the whole schema."""
    from lms.wards import models as _w  # noqa: F401
    from lms.accounts import models as _a  # noqa: F401
    from lms.courses import models as _c  # noqa: F401
    from lms.quizzes import models as _q  # noqa: F401
    from lms.cohorts import models as _h  # noqa: F401
    from lms.households import models as _hh  # noqa: F401
    from lms.audit import models as _audit  # noqa: F401
    from lms.certificates import models as _cert  # noqa: F401
    from lms.live import models as _live  # noqa: F401
    from lms.reports import models as _reports  # noqa: F401
    from lms.offline import models as _offline  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from lms.accounts import bp as accounts_bp
    from lms.courses import bp as courses_bp
    from lms.learning import bp as learning_bp
    from lms.main import bp as main_bp
    from lms.quizzes import bp as quizzes_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(courses_bp)
    app.register_blueprint(quizzes_bp)
    app.register_blueprint(learning_bp)
    from lms.certificates import bp as certificates_bp
    app.register_blueprint(certificates_bp)

    from lms.cohorts import bp as cohorts_bp
    from lms.households import bp as households_bp
    app.register_blueprint(cohorts_bp)
    app.register_blueprint(households_bp)
    from lms.live import bp as live_bp
    app.register_blueprint(live_bp)
    from lms.reports import bp as reports_bp
    app.register_blueprint(reports_bp)
    from lms.wards import bp as wards_bp
    app.register_blueprint(wards_bp)
    from lms.offline import bp as offline_bp
    app.register_blueprint(offline_bp)

    # Who is signed in: one light principal, read in one query (lms.accounts.principal); sign-ins
    # and the remember-me cookie (lms.accounts.signins).
    from lms.accounts import principal, signins

    principal.init_app(app)
    signins.init_app(app)

    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import redirect, url_for
        from flask_babel import gettext as _

        from lms.extensions import htmx

        target = url_for("accounts.login", next=request.full_path.rstrip("?"))
        if htmx:
            # htmx would swap the sign-in page into a fragment; send the whole page instead.
            response = app.response_class(status=401)
            response.headers["HX-Redirect"] = target
            return response
        from flask import flash

        flash(_("Hãy đăng nhập để tiếp tục. Những gì bạn đã làm trước đó vẫn được giữ."), "info")
        return redirect(target)


def _locale_selector(app: Flask):
    """The person's saved choice, else this browser's, else Vietnamese.

    Asked once on every page, so the languages are read from the config once, at start.
    """
    from flask_login import current_user

    languages = frozenset(app.config["LANGUAGES"])
    default = _locale(app.config["BABEL_DEFAULT_LOCALE"])

    def select() -> Locale:
        if current_user.is_authenticated and current_user.locale in languages:
            return _locale(current_user.locale)
        chosen = session.get("locale")
        if chosen in languages:
            return _locale(chosen)
        asked = request.args.get("lang") if request.query_string else None
        return _locale(asked) if asked in languages else default

    return select


@functools.lru_cache(maxsize=8)
def _locale(code: str) -> Locale:
    """Parsed once: Babel would otherwise parse the code (and look for its data file) per request."""
    return Locale.parse(code)
