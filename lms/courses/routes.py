"""Thin views: catalogue, course page, lesson reader, marking a lesson done, course images."""
from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user, login_required

from lms.accounts.principal import current_account
from lms.courses import bp
from lms.courses.models import AUDIENCES
from lms.courses.services import (
    catalogue, complete_lesson, completed_lesson_ids, course_or_404, lesson_or_404, lesson_sources, neighbours,
    reader_lesson_or_404, record_visit,
)
from lms.extensions import db
from lms.pagecache import render_cached
from lms.templating import current_lang

IMAGE_TYPES = {".svg", ".png", ".jpg", ".jpeg", ".webp"}


@bp.route("/")
def index():
    audience = request.args.get("audience") or None
    if audience not in AUDIENCES:
        audience = None
    competence = request.args.get("competence") or None
    courses = catalogue(audience, competence)
    from lms.content.competences import COMPETENCES

    return render_template("courses/index.html", courses=courses, audience=audience, competence=competence,
                           audiences=AUDIENCES, competences=COMPETENCES)


@bp.route("/<slug>/")
def course(slug: str):
    course = course_or_404(slug)
    done = completed_lesson_ids(current_user.id, course.id) if current_user.is_authenticated else set()
    return render_template("courses/course.html", course=course, lessons=course.active_lessons, done=done)


@bp.route("/<slug>/<lesson_slug>")
def lesson(slug: str, lesson_slug: str):
    user_id = current_user.id  # the light principal: no need to load the whole account
    found = reader_lesson_or_404(slug, lesson_slug, user_id)
    # A phone fetching lessons ahead to keep for offline reading has not opened them.
    if user_id is not None and not found.opened and "X-Offline-Precache" not in request.headers:
        record_visit(user_id, found.lesson_id)
        db.session.commit()
    # The page is the same for every reader with the same done-mark (and layout variant): render
    # it once per course content hash (lms.pagecache); the loading below runs only then.
    return render_cached("courses/lesson.html", (found.content_hash, found.lesson_id, found.done),
                         lambda: _lesson_context(slug, lesson_slug, found.done))


def _lesson_context(slug: str, lesson_slug: str, done: bool) -> dict:
    course = course_or_404(slug)
    lesson = lesson_or_404(course, lesson_slug)
    before, after = neighbours(course, lesson)
    lessons = course.active_lessons
    # The check after the lesson belongs to quizzes: asked through its template global, not imported.
    has_check = current_app.jinja_env.globals["check_quiz_for"](lesson) is not None
    return dict(course=course, lesson=lesson, before=before, after=after, lessons=lessons,
                position=lessons.index(lesson) + 1, done=done, has_check=has_check,
                sources=lesson_sources(lesson, current_lang()))


@bp.route("/<slug>/<lesson_slug>/done", methods=["POST"])
@login_required
def lesson_done(slug: str, lesson_slug: str):
    course = course_or_404(slug)
    lesson = lesson_or_404(course, lesson_slug)
    complete_lesson(current_account(), lesson)  # may issue a certificate: the whole account
    db.session.commit()
    # The check after the lesson belongs to quizzes; reach it by URL, not by import.
    return redirect(url_for("quizzes.after_lesson", lesson_id=lesson.id))


@bp.route("/<slug>/images/<path:filename>")
def image(slug: str, filename: str):
    """Images from a course's own folder; nothing outside it, nothing but images."""
    course_or_404(slug)
    if Path(filename).suffix.lower() not in IMAGE_TYPES:
        abort(404)
    folder = Path(current_app.config["CONTENT_DIR"]) / "courses" / slug / "images"
    response = send_from_directory(folder, filename, max_age=31536000)
    if filename.endswith(".svg"):
        # An author's SVG is shown as an image only; this stops any script inside it.
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


@bp.route("/search")
def search():
    from lms.courses.search import search_lessons
    from lms.templating import current_lang

    query = (request.args.get("q") or "").strip()[:100]
    hits = search_lessons(query, current_lang()) if query else []
    return render_template("search/results.html", query=query, hits=hits)
