"""Read content/courses/ into a ContentTree, collecting every problem that stops a piece from loading."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta, timezone
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import frontmatter
import yaml

from lms.content.competences import COMPETENCES
from lms.content.model import (
    AUDIENCES, ContentTree, CourseSource, ImageRef, LessonSource, MarkdownDoc, Problem, QuestionSource,
    QuizSource, Scan, SourceRef, content_hash, html_problem, lang_text, nfc, text_problem,
)
from lms.content.question_base import as_id, item_line, line_of
from lms.content.question_types import QUESTION_TYPES
from lms.content.yaml_lines import LineDict, LineList, load_yaml, yaml_message  # noqa: F401  (load_yaml re-exported)

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SLUG_RE = re.compile(rf"^{SLUG}$")
LESSON_FILE = re.compile(rf"^(\d{{2}})-({SLUG})(\.en)?\.md$")
QUIZ_FILE = re.compile(rf"^(\d{{2}})-({SLUG})\.quiz\.yaml$")
FINAL_QUIZ = "final.quiz.yaml"
NAME_RULE = 'hai chữ số, dấu gạch ngang, rồi mã bài bằng chữ thường không dấu, số và dấu gạch ngang, ví dụ "01-mat-khau-manh.md"'


_FRONT_MATTER = frontmatter.YAMLHandler()


class _Reader:
    """Collects problems and check material while the tree is being read."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.documents: list[MarkdownDoc] = []
        self.image_refs: list[ImageRef] = []
        self.quizzes: dict[str, list[QuizSource]] = {}

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def report(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(self.rel(path), max(line, 1), message))

    def read_text(self, path: Path) -> str | None:
        try:
            return nfc(path.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError:
            self.report(path, 1, "tệp không lưu bằng bảng mã UTF-8; hãy mở và lưu lại với UTF-8")
        except OSError:
            self.report(path, 1, "không đọc được tệp")
        return None

    def read_mapping(self, path: Path, text: str | None = None, first_line: int = 1) -> LineDict | None:
        """Load a YAML mapping, reporting syntax errors and repeated keys; None when unusable."""
        text = self.read_text(path) if text is None else text
        if text is None:
            return None
        try:
            data, duplicates = load_yaml(text, first_line - 1)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            self.report(path, mark.line + first_line if mark else first_line, yaml_message(error))
            return None
        for line, key in duplicates:
            self.report(path, line, f'dòng "{key}" bị viết hai lần; chỉ giữ một')
        if data is None:
            data = LineDict()
            data.line, data.key_lines = first_line, {}
        if not isinstance(data, dict):
            self.report(path, first_line, 'phần này phải gồm các dòng dạng "tên: giá trị"')
            return None
        return data  # type: ignore[return-value]


def line_at(text: str, position: int) -> int:
    """1-based line number of a character position."""
    return text.count("\n", 0, position) + 1


def split_front_matter(text: str) -> tuple[str | None, int, str, int]:
    """Front matter text, its first line, the body and the body's first line."""
    start = len(text) - len(text.lstrip())
    boundaries = list(islice(_FRONT_MATTER.FM_BOUNDARY.finditer(text, start), 2))
    if len(boundaries) < 2 or boundaries[0].start() != start:
        return None, 1, text, 1
    opening, closing = boundaries
    fm = text[opening.end():closing.start()]
    return fm, line_at(text, opening.end()), text[closing.end():], line_at(text, closing.end())


# ---- fields -------------------------------------------------------------------------------


def read_int(reader: _Reader, path: Path, data: LineDict, key: str, meaning: str,
             low: int, high: int | None = None) -> int | None:
    """A required whole number within bounds."""
    value = data.get(key)
    line = line_of(data, key)
    if key not in data:
        reader.report(path, line, f'thiếu "{key}" ({meaning})')
    elif isinstance(value, bool) or not isinstance(value, int) or value < low or (high and value > high):
        bound = f"từ {low} đến {high}" if high else f"từ {low} trở lên"
        reader.report(path, line, f'"{key}" ({meaning}) phải là một số nguyên {bound}')
    else:
        return value
    return None


def read_text_field(reader: _Reader, path: Path, data: LineDict, key: str, meaning: str) -> dict[str, str] | None:
    """A required text field, plain Vietnamese or {vi, en}."""
    if key not in data:
        reader.report(path, line_of(data), f'thiếu "{key}" ({meaning})')
        return None
    reason = text_problem(data[key])
    if reason:
        reader.report(path, line_of(data, key), f'"{key}" ({meaning}) {reason}')
        return None
    return lang_text(data[key])


def read_codes(reader: _Reader, path: Path, data: LineDict, required: bool) -> tuple[str, ...] | None:
    """Competence codes, each exactly one of the framework's codes."""
    if "competences" not in data and not required:
        return ()
    value, line = data.get("competences"), line_of(data, "competences")
    value = [value] if isinstance(value, (str, float)) else value
    if not isinstance(value, list) or (required and not value):
        reader.report(path, line, 'thiếu "competences" (mã năng lực), ví dụ ["4.2", "2.6"]')
        return None
    codes, ok = [], True
    for index, code in enumerate(value):
        item = item_line(value, index) if isinstance(value, LineList) else line
        if isinstance(code, float):
            reader.report(path, item, f'mã năng lực {code} phải đặt trong dấu nháy kép: "{code}"')
            ok = False
        elif not isinstance(code, str) or code.strip() not in COMPETENCES:
            reader.report(path, item, f'mã năng lực "{code}" không có trong khung năng lực số')
            ok = False
        else:
            codes.append(code.strip())
    return tuple(dict.fromkeys(codes)) if ok else None


def report_unknown_keys(reader: _Reader, path: Path, data: LineDict, allowed: set[str]) -> None:
    """Typos in optional fields would otherwise be lost silently."""
    for key in data:
        if key not in allowed:
            reader.report(path, line_of(data, key), f'không hiểu dòng "{key}" — kiểm tra lại chính tả')


# ---- files --------------------------------------------------------------------------------


def scan_tree(root: Path) -> Scan:
    """Read every course under root/courses/, keeping what the checks need besides the tree."""
    reader = _Reader(root)
    courses_dir = root / "courses"
    if not courses_dir.is_dir():
        reader.problems.append(Problem("courses", 1, "không tìm thấy thư mục courses/ trong thư mục nội dung"))
        return Scan(ContentTree(()), tuple(reader.problems), (), (), {})
    courses, slugs = [], {}
    seen: dict[str, str] = {}
    folders = [p for p in courses_dir.iterdir() if p.is_dir() and not p.name.startswith(".")]
    # Well-named folders first, so "an-toan" is kept and "An-Toan" is the one reported.
    for course_dir in sorted(folders, key=lambda p: (not SLUG_RE.match(p.name), p.name)):
        folded = course_dir.name.casefold()
        if folded in seen:
            reader.report(course_dir, 1, f'mã khoá học "{course_dir.name}" trùng với thư mục "{seen[folded]}"')
            continue
        seen[folded] = course_dir.name
        if not SLUG_RE.match(course_dir.name):
            reader.report(course_dir, 1, f'tên thư mục "{course_dir.name}" chỉ được dùng chữ thường không dấu, số và dấu gạch ngang')
            continue
        course, lesson_slugs = _read_course(reader, course_dir)
        slugs[course_dir.name] = lesson_slugs
        if course is not None:
            courses.append(course)
    return Scan(ContentTree(tuple(courses)), tuple(reader.problems), tuple(reader.documents),
                tuple(reader.image_refs), slugs, {name: tuple(found) for name, found in reader.quizzes.items()})


def load_tree(root: Path) -> tuple[ContentTree, list[Problem]]:
    """The content tree and the problems that kept parts of it out; sync only when there are none."""
    scan = scan_tree(root)
    return scan.tree, list(scan.problems)


def _read_course(reader: _Reader, course_dir: Path) -> tuple[CourseSource | None, frozenset[str]]:
    """Read one course folder; the course is None when its course.yaml is unusable."""
    groups = _group_files(reader, course_dir)
    lessons = _read_lessons(reader, course_dir, groups)
    final_path = course_dir / FINAL_QUIZ
    final = _read_quiz(reader, final_path, "final", course_dir) if final_path.is_file() else None
    meta = _read_course_yaml(reader, course_dir)
    slugs = frozenset(match.group(2) for match in groups["vi"].values())
    if meta is None:
        return None, slugs
    body = {**meta, "lessons": tuple(lessons), "final_quiz": final}
    digest = content_hash({**body, "images": _image_digests(course_dir)})
    return CourseSource(slug=course_dir.name, path=course_dir, content_hash=digest, **body), slugs


def _group_files(reader: _Reader, course_dir: Path) -> dict[str, dict[str, re.Match[str]]]:
    """Sort a course's files into Vietnamese lessons, English lessons and check quizzes, by stem."""
    groups: dict[str, dict[str, re.Match[str]]] = {"vi": {}, "en": {}, "quiz": {}}
    for path in sorted(course_dir.iterdir()):
        name = path.name
        if not path.is_file() or name.startswith(".") or name in ("course.yaml", FINAL_QUIZ):
            continue
        if name.endswith(".md"):
            match = LESSON_FILE.match(name)
            kind = "en" if match and match.group(3) else "vi"
        elif name.endswith((".yaml", ".yml")):
            match, kind = QUIZ_FILE.match(name), "quiz"
        else:
            continue  # notes, drafts and the like are none of the loader's business
        if match is None:
            expected = "NN-ma-bai.quiz.yaml hoặc final.quiz.yaml" if kind == "quiz" else NAME_RULE
            reader.report(path, 1, f'tên tệp "{name}" không đúng mẫu: {expected}')
            continue
        groups[kind][f"{match.group(1)}-{match.group(2)}"] = match
    return groups


def _read_lessons(reader: _Reader, course_dir: Path, groups: dict[str, dict[str, re.Match[str]]]) -> list[LessonSource]:
    """Read each lesson with its English version and check quiz, refusing clashes of number or slug."""
    for stem in groups["en"].keys() - groups["vi"].keys():
        reader.report(course_dir / f"{stem}.en.md", 1, f'bản tiếng Anh này không có bản tiếng Việt "{stem}.md" đi kèm')
    for stem in groups["quiz"].keys() - groups["vi"].keys():
        reader.report(course_dir / f"{stem}.quiz.yaml", 1, f'tệp câu hỏi này không có bài học "{stem}.md" đi kèm')
        _read_quiz(reader, course_dir / f"{stem}.quiz.yaml", "check", course_dir)
    lessons, numbers, slugs = [], {}, {}
    for stem, match in sorted(groups["vi"].items()):
        number, slug, path = match.group(1), match.group(2), course_dir / f"{stem}.md"
        if number in numbers:
            reader.report(path, 1, f'hai bài cùng số {number}: "{numbers[number]}.md" và "{stem}.md"')
        if slug in slugs:
            reader.report(path, 1, f'mã bài "{slug}" đã dùng cho "{slugs[slug]}.md"; mỗi bài cần một mã riêng')
        clash = number in numbers or slug in slugs
        numbers.setdefault(number, stem)
        slugs.setdefault(slug, stem)
        quiz_path = course_dir / f"{stem}.quiz.yaml"
        quiz = _read_quiz(reader, quiz_path, "check", course_dir) if stem in groups["quiz"] else None
        lesson = _read_lesson(reader, course_dir, stem, int(number), slug, quiz, stem in groups["en"])
        if lesson is not None and not clash:
            lessons.append(lesson)
    return lessons


def _read_markdown(reader: _Reader, path: Path, course_dir: Path, stem: str, lang: str) -> tuple[LineDict | None, str] | None:
    """Front matter and body of one lesson file; the body is kept for the markdown checks."""
    text = reader.read_text(path)
    if text is None:
        return None
    fm, fm_line, body, body_line = split_front_matter(text)
    reader.documents.append(MarkdownDoc(reader.rel(path), course_dir, stem, lang, body, body_line))
    if fm is None:
        reader.report(path, 1, 'thiếu phần thông tin đầu bài (giữa hai dòng "---"), cần có "title"')
        return None, body.strip()
    return reader.read_mapping(path, fm, fm_line), body.strip()


def _read_lesson(reader: _Reader, course_dir: Path, stem: str, position: int, slug: str,
                 quiz: QuizSource | None, has_en: bool) -> LessonSource | None:
    """A lesson from its Vietnamese file, with the English one when there is one."""
    vietnamese = _read_lesson_file(reader, course_dir, stem, "vi")
    english = _read_lesson_file(reader, course_dir, stem, "en") if has_en else None
    if vietnamese is None:
        return None
    meta, title, body, path = vietnamese
    minutes = read_int(reader, path, meta, "minutes", "số phút", 1)
    codes = read_codes(reader, path, meta, required=False)
    sources = {"vi": read_sources(reader, path, meta)}
    if english is not None:
        sources["en"] = read_sources(reader, english[3], english[0])
    if title is None or not body or minutes is None or codes is None or None in sources.values():
        return None
    markdown = {"vi": body}
    if english and english[1] and english[2]:
        title["en"], markdown["en"] = english[1].get("en", english[1]["vi"]), english[2]
    fields = {"title": title, "minutes": minutes, "competences": codes, "markdown": markdown, "check_quiz": quiz,
              "sources": sources}
    return LessonSource(slug=slug, position=position, path=path, content_hash=content_hash(fields), **fields)


def _read_lesson_file(reader: _Reader, course_dir: Path, stem: str, lang: str
                      ) -> tuple[LineDict, dict[str, str] | None, str, Path] | None:
    """Front matter, title and body of one language's file; None when its front matter is unreadable."""
    path = course_dir / (f"{stem}.md" if lang == "vi" else f"{stem}.en.md")
    read = _read_markdown(reader, path, course_dir, stem, lang)
    if read is None or read[0] is None:
        return None
    meta, body = read
    report_unknown_keys(reader, path, meta, {"title", "minutes", "competences", "sources"})
    title = read_text_field(reader, path, meta, "title", "tên bài" if lang == "vi" else "tên bài bằng tiếng Anh")
    if not body:
        reader.report(path, 1, "bài học chưa có nội dung")
    return meta, title, body, path


SOURCE_FIELDS = {"title": "tên tài liệu", "publisher": "nơi công bố", "url": "đường link", "checked": "ngày xem"}
# Vietnam has one time zone and no summer time: "today" is the author's today, not the server's.
VIETNAM = timezone(timedelta(hours=7))


def read_sources(reader: _Reader, path: Path, meta: LineDict, today: date | None = None
                 ) -> tuple[SourceRef, ...] | None:
    """The lesson's `sources:` list: at least one, each with title, publisher, url and checked."""
    today = today or datetime.now(VIETNAM).date()
    example = 'ví dụ "- title: …", "publisher: …", "url: https://…", "checked: 2026-12-01"'
    if "sources" not in meta:
        reader.report(path, line_of(meta), f'thiếu "sources" (nguồn của bài, ít nhất một): {example}')
        return None
    items, line = meta["sources"], line_of(meta, "sources")
    if not isinstance(items, list) or not items:
        reader.report(path, line, f'"sources" phải là danh sách có ít nhất một nguồn, mỗi nguồn bắt đầu bằng "- title:"; {example}')
        return None
    found, ok = [], True
    for index, item in enumerate(items):
        item_at = item_line(items, index)
        if not isinstance(item, dict):
            reader.report(path, item_at, f'mỗi nguồn cần bốn dòng title, publisher, url và checked; {example}')
            ok = False
            continue
        source = _read_source(reader, path, item, item_at, today)
        ok = ok and source is not None
        if source is not None:
            found.append(source)
    return tuple(found) if ok else None


def _read_source(reader: _Reader, path: Path, item: LineDict, item_at: int, today: date) -> SourceRef | None:
    before = len(reader.problems)
    report_unknown_keys(reader, path, item, set(SOURCE_FIELDS))
    values: dict[str, str] = {}
    for key, meaning in SOURCE_FIELDS.items():
        value = item.get(key)
        value = str(value) if isinstance(value, (int, float, date)) and not isinstance(value, bool) else value
        if not isinstance(value, str) or not value.strip():
            reader.report(path, line_of(item, key) if key in item else item_at, f'nguồn thiếu "{key}" ({meaning})')
            continue
        values[key] = nfc(value).strip()
        if key in ("title", "publisher") and (reason := html_problem(values[key])):
            reader.report(path, line_of(item, key), f'"{key}" ({meaning}) {reason}')
    if "url" in values and not _is_web_link(values["url"]):
        reader.report(path, line_of(item, "url"),
                      f'đường link "{values["url"]}" của nguồn phải là địa chỉ trang web bắt đầu bằng https:// hoặc http://')
    if "checked" in values:
        try:
            checked = date.fromisoformat(values["checked"])
        except ValueError:
            reader.report(path, line_of(item, "checked"),
                          f'"checked" (ngày xem) "{values["checked"]}" phải là một ngày viết năm-tháng-ngày, ví dụ 2026-12-01')
        else:
            values["checked"] = checked.isoformat()
            if checked > today:
                reader.report(path, line_of(item, "checked"),
                              f'"checked" (ngày xem) {checked.isoformat()} là ngày trong tương lai; hãy ghi ngày bạn đã đọc nguồn')
    if len(reader.problems) > before:
        return None
    return SourceRef(**values)


def _is_web_link(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in url)


def _read_course_yaml(reader: _Reader, course_dir: Path) -> dict[str, Any] | None:
    """The course's own fields, or None if any is missing or wrong."""
    path = course_dir / "course.yaml"
    if not path.is_file():
        reader.report(path, 1, "thiếu tệp course.yaml (thông tin chung của khoá học)")
        return None
    data = reader.read_mapping(path)
    if data is None:
        return None
    report_unknown_keys(reader, path, data, {"version", "level", "minutes", "audiences", "competences", "title", "summary",
                                             "final_quiz_after_lessons"})
    meta = {
        "version": read_int(reader, path, data, "version", "phiên bản", 1),
        "level": read_int(reader, path, data, "level", "bậc", 1, 8),
        "minutes": read_int(reader, path, data, "minutes", "số phút", 1),
        "audiences": _read_audiences(reader, path, data),
        "competences": read_codes(reader, path, data, required=True),
        "title": read_text_field(reader, path, data, "title", "tên khoá học"),
        "summary": read_text_field(reader, path, data, "summary", "giới thiệu ngắn"),
        "final_quiz_after_lessons": _read_switch(reader, path, data, "final_quiz_after_lessons",
                                                 "học xong các bài rồi mới làm bài kiểm tra cuối khoá", True),
    }
    return None if any(value is None for value in meta.values()) else meta


def _read_switch(reader: _Reader, path: Path, data: LineDict, key: str, meaning: str, default: bool) -> bool | None:
    """An optional true/false setting; left out, it takes its default."""
    if key not in data:
        return default
    value = data.get(key)
    if not isinstance(value, bool):
        reader.report(path, line_of(data, key), f'"{key}" ({meaning}) phải là true (có) hoặc false (không)')
        return None
    return value


def _read_audiences(reader: _Reader, path: Path, data: LineDict) -> tuple[str, ...] | None:
    value, line = data.get("audiences"), line_of(data, "audiences")
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list) or not value:
        reader.report(path, line, 'thiếu "audiences" (đối tượng), ví dụ [everyone, elderly]')
        return None
    ok = True
    for index, item in enumerate(value):
        if not isinstance(item, str) or item not in AUDIENCES:
            ok = False
            where = item_line(value, index) if isinstance(value, LineList) else line
            reader.report(path, where, f'đối tượng "{item}" không có trong danh sách: {", ".join(AUDIENCES)}')
    return tuple(dict.fromkeys(value)) if ok else None


def _image_digests(course_dir: Path) -> dict[str, str]:
    """A changed picture is a changed course, even when no text changed."""
    images = course_dir / "images"
    if not images.is_dir():
        return {}
    return {p.relative_to(course_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(images.rglob("*")) if p.is_file()}


def _read_quiz(reader: _Reader, path: Path, kind: str, course_dir: Path) -> QuizSource | None:
    """A quiz file; None unless every part of it is right, so a quiz is never half loaded."""
    before = len(reader.problems)
    data = reader.read_mapping(path)
    if data is None:
        return None
    report_unknown_keys(reader, path, data, {"questions", "pass_mark", "max_attempts"})
    pass_mark = max_attempts = None
    if kind == "final":
        pass_mark = read_int(reader, path, data, "pass_mark", "phần trăm số câu đúng để đạt", 1, 100)
        max_attempts = read_int(reader, path, data, "max_attempts", "số lần làm bài tối đa", 1)
    else:
        for key in ("pass_mark", "max_attempts"):
            if key in data:
                reader.report(path, line_of(data, key), f'chỉ bài kiểm tra cuối khoá ({FINAL_QUIZ}) mới có "{key}"; hãy xoá dòng này')
    questions = _read_questions(reader, path, data, course_dir)
    if len(reader.problems) > before:
        return None
    quiz = QuizSource(path, kind, pass_mark, max_attempts, questions)  # type: ignore[arg-type]
    reader.quizzes.setdefault(course_dir.name, []).append(quiz)
    return quiz


def _read_questions(reader: _Reader, path: Path, data: LineDict, course_dir: Path) -> tuple[QuestionSource, ...]:
    """Validate each question through its type, refusing repeated ids."""
    items = data.get("questions")
    if not isinstance(items, list) or not items:
        reader.report(path, line_of(data, "questions"), 'thiếu "questions" (danh sách câu hỏi, mỗi câu bắt đầu bằng "- id:")')
        return ()
    questions, ids = [], set()
    for index, item in enumerate(items):
        line = item_line(items, index)
        if not isinstance(item, dict):
            reader.report(path, line, 'mỗi câu hỏi cần các dòng "id", "type", "prompt"…')
            continue
        qtype = QUESTION_TYPES.get(item.get("type")) if isinstance(item.get("type"), str) else None
        if qtype is None:
            message = (f'loại câu hỏi "{item["type"]}" không có; chỉ dùng: {", ".join(QUESTION_TYPES)}'
                       if "type" in item else 'thiếu "type" (loại câu hỏi)')
            reader.report(path, line_of(item, "type"), message)
            continue
        found = qtype.validate(item)
        key = as_id(item.get("id"))
        if key is not None and key in ids:
            found.append((line_of(item, "id"), f'mã câu hỏi "{key}" bị trùng trong tệp này'))
        ids.add(key)
        for found_line, message in found:
            reader.report(path, found_line, message)
        for choice in item.get("choices") or ():
            if isinstance(choice, dict) and isinstance(choice.get("image"), str):
                reader.image_refs.append(ImageRef(reader.rel(path), line_of(choice, "image"), course_dir, choice["image"]))
        if not found:
            questions.append(qtype.build(item))
    return tuple(questions)
