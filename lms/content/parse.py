"""Read content/courses/ into a ContentTree, collecting every problem that stops a piece from loading."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from lms.content.lesson_files import read_lesson
from lms.content.model import AUDIENCES, ContentTree, CourseSource, LessonSource, Problem, Scan, content_hash
from lms.content.question_base import item_line, line_of
from lms.content.quiz_files import FINAL_QUIZ, read_quiz
from lms.content.reader import Reader, read_codes, read_int, read_text_field, report_unknown_keys
from lms.content.yaml_lines import LineDict, LineList

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SLUG_RE = re.compile(rf"^{SLUG}$")
LESSON_FILE = re.compile(rf"^(\d{{2}})-({SLUG})(\.en)?\.md$")
QUIZ_FILE = re.compile(rf"^(\d{{2}})-({SLUG})\.quiz\.yaml$")
NAME_RULE = 'hai chữ số, dấu gạch ngang, rồi mã bài bằng chữ thường không dấu, số và dấu gạch ngang, ví dụ "01-mat-khau-manh.md"'


# ---- files --------------------------------------------------------------------------------


def scan_tree(root: Path) -> Scan:
    """Read every course under root/courses/, keeping what the checks need besides the tree."""
    reader = Reader(root)
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


def _read_course(reader: Reader, course_dir: Path) -> tuple[CourseSource | None, frozenset[str]]:
    """Read one course folder; the course is None when its course.yaml is unusable."""
    groups = _group_files(reader, course_dir)
    lessons = _read_lessons(reader, course_dir, groups)
    final_path = course_dir / FINAL_QUIZ
    final = read_quiz(reader, final_path, "final", course_dir) if final_path.is_file() else None
    meta = _read_course_yaml(reader, course_dir)
    slugs = frozenset(match.group(2) for match in groups["vi"].values())
    if meta is None:
        return None, slugs
    body = {**meta, "lessons": tuple(lessons), "final_quiz": final}
    digest = content_hash({**body, "images": _image_digests(course_dir)})
    return CourseSource(slug=course_dir.name, path=course_dir, content_hash=digest, **body), slugs


def _group_files(reader: Reader, course_dir: Path) -> dict[str, dict[str, re.Match[str]]]:
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


def _read_lessons(reader: Reader, course_dir: Path, groups: dict[str, dict[str, re.Match[str]]]) -> list[LessonSource]:
    """Read each lesson with its English version and check quiz, refusing clashes of number or slug."""
    for stem in groups["en"].keys() - groups["vi"].keys():
        reader.report(course_dir / f"{stem}.en.md", 1, f'bản tiếng Anh này không có bản tiếng Việt "{stem}.md" đi kèm')
    for stem in groups["quiz"].keys() - groups["vi"].keys():
        reader.report(course_dir / f"{stem}.quiz.yaml", 1, f'tệp câu hỏi này không có bài học "{stem}.md" đi kèm')
        read_quiz(reader, course_dir / f"{stem}.quiz.yaml", "check", course_dir)
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
        quiz = read_quiz(reader, quiz_path, "check", course_dir) if stem in groups["quiz"] else None
        lesson = read_lesson(reader, course_dir, stem, int(number), slug, quiz, stem in groups["en"])
        if lesson is not None and not clash:
            lessons.append(lesson)
    return lessons


def _read_course_yaml(reader: Reader, course_dir: Path) -> dict[str, Any] | None:
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


def _read_switch(reader: Reader, path: Path, data: LineDict, key: str, meaning: str, default: bool) -> bool | None:
    """An optional true/false setting; left out, it takes its default."""
    if key not in data:
        return default
    value = data.get(key)
    if not isinstance(value, bool):
        reader.report(path, line_of(data, key), f'"{key}" ({meaning}) phải là true (có) hoặc false (không)')
        return None
    return value


def _read_audiences(reader: Reader, path: Path, data: LineDict) -> tuple[str, ...] | None:
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
