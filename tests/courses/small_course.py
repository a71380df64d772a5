"""One small, valid course written to a temporary folder and loaded, for tests that need their own content.

The course is the content tests' default course (tests/content/conftest.py), changed by `files`.
"""
from __future__ import annotations

from pathlib import Path

from lms.courses.loader import sync_content
from lms.extensions import db
from tests.content.conftest import ContentBuilder


def load_course(app, root: Path, files: dict | None = None, slug: str = "an-toan") -> Path:
    """Write the course under root/courses/<slug>/ and load it (all of root) into the database."""
    ContentBuilder(root).course(slug, files)
    with app.test_request_context():
        sync_content(root)
        db.session.commit()
    return root
