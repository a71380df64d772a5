"""Search finds lessons whether or not the learner types diacritics, on SQLite and PostgreSQL."""
import pytest

from lms.courses.search import fold, search_lessons


@pytest.mark.parametrize("typed", ["lua dao", "lừa đảo", "LUA DAO", "lừa dao"])
def test_scams_are_found_with_or_without_diacritics(catalogue, typed):
    hits = search_lessons(typed)
    assert hits, typed
    assert any("lừa" in h.snippet.lower() or "lừa" in h.lesson.title["vi"].lower() for h in hits)


def test_thanh_toan_finds_the_payments_course(catalogue):
    hits = search_lessons("thanh toan")
    assert any(h.course.slug == "thanh-toan-so" for h in hits)


def test_a_word_start_matches_as_a_prefix(catalogue):
    assert search_lessons("vnei")


def test_nonsense_finds_nothing_and_punctuation_is_harmless(catalogue):
    assert search_lessons("xyzzyqq") == []
    assert search_lessons('"*)(^') == []
    assert isinstance(search_lessons('NEAR OR "AND'), list)  # operators are words, never syntax
    assert search_lessons("") == []


def test_search_page_shows_results_with_links(client, catalogue):
    page = client.get("/courses/search?q=ma+qr").get_data(as_text=True)
    assert "Tìm thấy" in page and "/courses/thanh-toan-so/" in page


def test_retired_lessons_are_not_found(catalogue, db):
    from lms.courses.models import Lesson

    hits = search_lessons("VNeID")
    lesson = db.session.get(Lesson, hits[0].lesson.id)
    lesson.retired_at = lesson.created_at
    db.session.commit()
    assert all(h.lesson.id != lesson.id for h in search_lessons("VNeID"))


def test_folding_keeps_length_so_snippets_line_up():
    text = "Lừa đảo qua điện thoại"
    assert fold(text) == "lua dao qua dien thoai"
    assert len(fold(text)) == len(text)
