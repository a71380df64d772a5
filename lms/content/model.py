"""Frozen dataclasses for a parsed content tree, and the problems found while reading it."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Literal

# The languages content is written in and the app is shown in: defined here only (the app's
# LANGUAGES, the account's locale and the content format all read this).
LANGS: tuple[str, ...] = ("vi", "en")

# The fixed audience list of content/README.md §2, with the labels the app shows; defined here
# only (courses, cohorts and the people list read it through lms.courses.models.AUDIENCES).
AUDIENCES: dict[str, dict[str, str]] = {
    "everyone": {"vi": "Mọi người", "en": "Everyone"},
    "elderly": {"vi": "Người cao tuổi", "en": "Older people"},
    "disability": {"vi": "Người khuyết tật", "en": "People with disabilities"},
    "traders": {"vi": "Tiểu thương", "en": "Small traders"},
    "workers": {"vi": "Người lao động", "en": "Workers"},
    "students": {"vi": "Học sinh, sinh viên", "en": "Students"},
    "officials": {"vi": "Cán bộ, công chức", "en": "Public officials"},
}

LangText = dict[str, str]


@dataclass(frozen=True)
class Problem:
    """One thing an author must fix, located by file (relative to the content root) and line."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class ChoiceSource:
    """One answer a learner can pick; `text` is empty for a picture choice without a caption."""

    key: str
    text: LangText
    image: str | None = None
    alt: LangText = field(default_factory=dict)


@dataclass(frozen=True)
class QuestionSource:
    """One question; `answer` is an id, a tuple of ids (multiple) or a bool (true_false)."""

    key: str
    type: str
    prompt: LangText
    choices: tuple[ChoiceSource, ...]
    answer: str | tuple[str, ...] | bool
    explanation: LangText
    screen: dict[str, Any] | None
    line: int

    def choice(self, key: str) -> ChoiceSource | None:
        """Return the choice with this id, if any."""
        return next((c for c in self.choices if c.key == key), None)


@dataclass(frozen=True)
class QuizSource:
    """A check quiz after a lesson or the final quiz of a course."""

    path: Path
    kind: Literal["check", "final"]
    pass_mark: int | None
    max_attempts: int | None
    questions: tuple[QuestionSource, ...]


@dataclass(frozen=True)
class SourceRef:
    """Where a lesson's facts come from: shown under "Nguồn" at the end of the lesson."""

    title: str
    publisher: str
    url: str
    checked: str  # the day the author read it, ISO form (2026-12-01)

    def as_dict(self) -> dict[str, str]:
        return {"title": self.title, "publisher": self.publisher, "url": self.url, "checked": self.checked}


@dataclass(frozen=True)
class LessonSource:
    """One lesson: `position` is the NN of its file name, `slug` its stable identity."""

    slug: str
    position: int
    path: Path
    title: LangText
    minutes: int
    competences: tuple[str, ...]
    markdown: LangText
    check_quiz: QuizSource | None
    content_hash: str
    # Per language, the sources listed in that language's file (the English file lists the same).
    sources: dict[str, tuple[SourceRef, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class CourseSource:
    """One course folder with its lessons in order."""

    slug: str
    path: Path
    version: int
    level: int
    minutes: int
    audiences: tuple[str, ...]
    competences: tuple[str, ...]
    title: LangText
    summary: LangText
    lessons: tuple[LessonSource, ...]
    final_quiz: QuizSource | None
    content_hash: str
    # The final quiz opens once every lesson is read (course.yaml `final_quiz_after_lessons`).
    final_quiz_after_lessons: bool = True

    def lesson(self, slug: str) -> LessonSource | None:
        """Return the lesson with this slug, if any."""
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)


@dataclass(frozen=True)
class ContentTree:
    """Every course that could be read completely, ordered by slug."""

    courses: tuple[CourseSource, ...]

    def course(self, slug: str) -> CourseSource | None:
        """Return the course with this slug, if any."""
        return next((course for course in self.courses if course.slug == slug), None)


@dataclass(frozen=True)
class MarkdownDoc:
    """The body of one lesson file, kept for the markdown checks."""

    rel: str
    course_dir: Path
    stem: str
    lang: str
    body: str
    first_line: int


@dataclass(frozen=True)
class ImageRef:
    """An image named by a quiz choice, kept for the image-file checks."""

    rel: str
    line: int
    course_dir: Path
    src: str


@dataclass(frozen=True)
class Scan:
    """Everything read from the content folder: the tree plus what the checks need."""

    tree: ContentTree
    problems: tuple[Problem, ...]
    documents: tuple[MarkdownDoc, ...]
    image_refs: tuple[ImageRef, ...]
    lesson_slugs: dict[str, frozenset[str]]
    # Every quiz that loaded, by course folder, even when its lesson did not (for the course measures).
    quizzes: dict[str, tuple[QuizSource, ...]] = field(default_factory=dict)


def nfc(text: str) -> str:
    """Normalise to NFC: editors may save Vietnamese in decomposed form, which breaks search."""
    return unicodedata.normalize("NFC", text)


def lang_text(value: object) -> LangText | None:
    """Read a text field (a plain Vietnamese string or a {vi, en} mapping); None if unusable."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        return {"vi": nfc(value).strip()} if value.strip() else None
    if not isinstance(value, dict):
        return None
    result: LangText = {}
    for lang in LANGS:
        text = value.get(lang)
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            text = str(text)
        if isinstance(text, str) and text.strip():
            result[lang] = nfc(text).strip()
    return result if "vi" in result else None


# A tag, a comment or a character reference: the page shows text fields as text, so any of
# these would reach the learner as raw code ("<b>Chú ý</b>", "&nbsp;").
_HTML_IN_TEXT = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>|<!--|&(?:[a-zA-Z][a-zA-Z0-9]*|#\d+|#x[0-9a-fA-F]+);")


def html_problem(text: str) -> str | None:
    """The message for HTML written inside a text field, or None."""
    match = _HTML_IN_TEXT.search(text)
    if match is None:
        return None
    return (f'có mã HTML ("{match.group(0)[:40]}"): trang hiện nguyên văn cho người học; '
            "hãy viết chữ thường, không dùng thẻ HTML")


def text_problem(value: object) -> str | None:
    """Why a text field cannot be used, in Vietnamese, or None when it is fine."""
    if isinstance(value, dict):
        unknown = [key for key in value if key not in LANGS]
        if unknown and value[unknown[0]] is None:
            # {vi: Không bấm, gọi lại} splits at the comma; the tail becomes a key without value.
            return f'có dấu phẩy trong câu ("…, {unknown[0]}"): hãy đặt cả câu trong dấu nháy kép'
        if unknown:
            return f'chỉ dùng "vi" (tiếng Việt) và "en" (tiếng Anh), không dùng "{unknown[0]}"'
        texts = lang_text(value)
        if not texts:
            return 'thiếu bản tiếng Việt ("vi")'
        return next((found for text in texts.values() if (found := html_problem(text))), None)
    if value is None or (isinstance(value, str) and not value.strip()):
        return "đang để trống"
    texts = lang_text(value)
    if not texts:
        return 'phải là chữ, hoặc hai dòng "vi:" và "en:"'
    return html_problem(texts["vi"])


def localised(text: LangText, lang: str) -> str:
    """Pick `lang` from a text field, falling back to Vietnamese."""
    return text.get(lang) or text.get("vi", "")


def content_hash(value: object) -> str:
    """sha256 over a canonical JSON form that ignores paths and line numbers."""
    canonical = json.dumps(_canonical(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _canonical(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        skip = {"path", "line", "content_hash"}
        return {f.name: _canonical(getattr(value, f.name)) for f in fields(value) if f.name not in skip}
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    return value
