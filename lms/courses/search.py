"""Lesson search that ignores diacritics, done by the database's own full-text engine.

SQLite: an FTS5 table holding diacritic-free text (our fold, since FTS5's unicode61 keeps "đ").
PostgreSQL: a tsvector built with `unaccent`, behind a GIN index. Either way "lua dao" finds
"lừa đảo" and "thanh toan" finds "thanh toán", without scanning rows in Python.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa

from lms.courses.models import Course, Lesson
from lms.extensions import db

TABLE = "search_lesson"
_WORD = re.compile(r"\w+", re.UNICODE)


def fold_char(ch: str) -> str:
    """One character without its diacritics, lower-cased: ừ → u, Đ → d (one char in, one out)."""
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0]
    return base.lower() if len(base.lower()) == 1 else ch


def fold(text: str) -> str:
    """Text without Vietnamese diacritics, same length, so positions map back to the original."""
    return "".join(fold_char(ch) for ch in unicodedata.normalize("NFC", text))


def query_terms(query: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", query or ""))[:8]


def _dialect() -> str:
    return db.engine.dialect.name


def index_lesson(lesson: Lesson) -> None:
    """Replace a lesson's entries in the search index (one per language it has)."""
    remove_lesson(lesson.id)
    if lesson.retired_at is not None:
        return
    for lang, body in (lesson.plain_text or {}).items():
        title = (lesson.title or {}).get(lang) or lesson.title.get("vi", "")
        if _dialect() == "postgresql":
            db.session.execute(sa.text(
                f"INSERT INTO {TABLE} (lesson_id, lang, title, body, document) VALUES "
                "(:id, :lang, :title, :body, setweight(to_tsvector('simple', unaccent(:title)), 'A') || "
                "to_tsvector('simple', unaccent(:body)))"),
                {"id": lesson.id, "lang": lang, "title": title, "body": body})
        else:
            db.session.execute(sa.text(
                f"INSERT INTO {TABLE} (lesson_id, lang, title, body) VALUES (:id, :lang, :title, :body)"),
                {"id": lesson.id, "lang": lang, "title": fold(title), "body": fold(body)})


def remove_lesson(lesson_id: int) -> None:
    db.session.execute(sa.text(f"DELETE FROM {TABLE} WHERE lesson_id = :id"), {"id": lesson_id})


@dataclass(frozen=True)
class Hit:
    lesson: Lesson
    course: Course
    snippet: str


def search_lessons(query: str, lang: str = "vi", limit: int = 20) -> list[Hit]:
    """Lessons matching every word of the query (as a word prefix), best first."""
    terms = query_terms(query)
    if not terms:
        return []
    if _dialect() == "postgresql":
        tsquery = " & ".join(word + ":*" for word in (re.sub(r"\W", "", t) for t in terms) if word)
        rows = db.session.execute(sa.text(
            f"SELECT lesson_id, max(ts_rank(document, q)) AS rank FROM {TABLE}, "
            "to_tsquery('simple', unaccent(:q)) AS q WHERE document @@ q "
            "GROUP BY lesson_id ORDER BY rank DESC, lesson_id LIMIT :limit"),
            {"q": tsquery, "limit": limit}).all()
    else:
        match = " ".join('"' + fold(t).replace('"', "") + '"*' for t in terms)
        # bm25 only works in a plain full-text query; a lesson has at most one row per language,
        # so fetching a few more rows and keeping each lesson's best is cheap.
        rows = db.session.execute(sa.text(
            f"SELECT lesson_id, bm25({TABLE}, 10.0, 1.0) AS rank FROM {TABLE} "
            f"WHERE {TABLE} MATCH :q ORDER BY rank, lesson_id LIMIT :limit"),
            {"q": match, "limit": limit * 2}).all()
        rows = list({row[0]: row for row in reversed(rows)}.values())[::-1][:limit]
    ids = [row[0] for row in rows]
    lessons = {lesson.id: lesson for lesson in db.session.scalars(
        sa.select(Lesson).where(Lesson.id.in_(ids), Lesson.retired_at.is_(None)))}
    hits = []
    for lesson_id in ids:
        lesson = lessons.get(lesson_id)
        if lesson is None or lesson.course.retired_at is not None:
            continue
        text = lesson.plain_text.get(lang) or lesson.plain_text.get("vi", "")
        hits.append(Hit(lesson, lesson.course, snippet(text, terms)))
    return hits


def snippet(text: str, terms: list[str], width: int = 160) -> str:
    """A piece of the original text around the first match, found on the folded copy."""
    folded = fold(text)
    positions = [folded.find(fold(t)) for t in terms]
    positions = [p for p in positions if p >= 0]
    start = max(min(positions) - width // 3, 0) if positions else 0
    piece = " ".join(text[start:start + width].split())
    return ("… " if start else "") + piece + (" …" if start + width < len(text) else "")
