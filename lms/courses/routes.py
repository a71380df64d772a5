"""Thin views: catalogue, course page, lesson reader, course images."""
from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, render_template, request, send_from_directory

from lms.courses import bp
from lms.courses.models import AUDIENCES
from lms.courses.services import catalogue, course_or_404, lesson_or_404, neighbours

IMAGE_TYPES = {".svg", ".png", ".jpg", ".jpeg", ".webp"}


@bp.route("/")
def index():
    audience = request.args.get("audience") or None
    if audience and audience not in AUDIENCES:
        audience = None
    competence = request.args.get("competence") or None
    return render_template(
        "courses/index.html",
        courses=catalogue(audience, competence),
        audience=audience,
        competence=competence,
        audiences=AUDIENCES,
    )


@bp.route("/<slug>/")
def course(slug: str):
    course = course_or_404(slug)
    return render_template("courses/course.html", course=course, lessons=course.active_lessons)


@bp.route("/<slug>/<lesson_slug>")
def lesson(slug: str, lesson_slug: str):
    course = course_or_404(slug)
    lesson = lesson_or_404(course, lesson_slug)
    before, after = neighbours(course, lesson)
    return render_template(
        "courses/lesson.html", course=course, lesson=lesson, before=before, after=after,
        lessons=course.active_lessons,
    )


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
