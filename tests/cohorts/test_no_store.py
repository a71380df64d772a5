"""Pages with personal data are never kept by a browser or a proxy: Cache-Control: no-store.

A ward office shares phones and computers; the browser's back button or cache must not show the
next person a roster, a person page or someone's own data."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def _no_store(response) -> bool:
    value = response.headers.get("Cache-Control", "")
    return "no-store" in value and "public" not in value


def coordinator_pages(world):
    c, p = world.cohort.id, world.learner.id
    return ["/", "/people/", f"/people/{p}", f"/people/{p}/edit", f"/people/{p}/erase", "/cohorts/",
            f"/cohorts/{c}", f"/cohorts/{c}/roster", f"/cohorts/{c}/roster.csv", f"/cohorts/{c}/roster.xlsx",
            f"/cohorts/{c}/enrol", f"/cohorts/{c}/members/{p}", f"/cohorts/{c}/import", f"/cohorts/{c}/sessions",
            "/households/", "/mentors/", "/certificates/", "/certificates/manage/",
            "/certificates/manage/export", f"/certificates/cohorts/{c}", "/my-learning", "/people/999999"]


def learner_pages(world):
    return ["/", "/my/data", "/my/data.json", "/my/cohorts", "/my-learning", "/certificates/", "/account/pin",
            "/courses/"]


def test_every_page_a_coordinator_sees_is_no_store(client, auth, world):
    auth.login(world.coordinator)
    for url in coordinator_pages(world):
        response = client.get(url)
        expected = 404 if url == "/people/999999" else 200  # a page that is not there is no-store too
        assert response.status_code == expected, (url, response.status_code)
        assert _no_store(response), (url, response.headers.get("Cache-Control"))


def test_every_page_a_learner_sees_is_no_store(client, auth, world):
    auth.login(world.learner)
    for url in learner_pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), (url, response.headers.get("Cache-Control"))


def test_the_import_preview_is_no_store(client, auth, world):
    auth.login(world.coordinator)
    data = (FIXTURES / "utf8_comma.csv").read_bytes()
    uploaded = client.post(f"/cohorts/{world.cohort.id}/import", data={"sheet": (io.BytesIO(data), "a.csv")},
                           content_type="multipart/form-data")
    assert uploaded.status_code == 302
    preview = client.get(uploaded.headers["Location"])
    assert preview.status_code == 200
    assert _no_store(preview)


def test_redirects_and_form_errors_for_a_signed_in_person_are_no_store(client, auth, world):
    auth.login(world.coordinator)
    response = client.post("/preferences", data={"action": "bigger", "next": "/people/"})
    assert response.status_code == 302 and _no_store(response)


@pytest.mark.parametrize("url", ["/", "/courses/", "/login", "/verify"])
def test_public_pages_for_visitors_are_not_marked(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_static_files_and_lesson_pages_keep_their_own_caching(client, auth, world, catalogue):
    auth.login(world.learner)
    static = client.get("/static/css/app.css")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()
    import sqlalchemy as sa

    from lms.courses.models import Course, Lesson
    from lms.extensions import db

    lesson = db.session.scalars(sa.select(Lesson).order_by(Lesson.id)).first()
    course = db.session.get(Course, lesson.course_id)
    page = client.get(f"/courses/{course.slug}/{lesson.slug}")
    assert page.status_code == 200
    assert "no-store" not in page.headers.get("Cache-Control", "")
    assert "Accept-Encoding" in page.headers["Vary"]


def test_a_download_keeps_the_views_own_header(client, auth, world):
    auth.login(world.coordinator)
    response = client.get(f"/cohorts/{world.cohort.id}/roster.csv")
    assert response.headers.getlist("Cache-Control") == [response.headers["Cache-Control"]]
