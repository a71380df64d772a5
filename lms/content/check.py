"""Every rule of content/README.md, reported as `file:line: message` in plain Vietnamese."""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token
from PIL import Image

from lms.content.model import ContentTree, MarkdownDoc, Problem, QuestionSource, QuizSource, Scan
from lms.content.parse import scan_tree
from lms.content.render import (
    URL_SCHEMES, course_image_path, is_markdown_link, parse_lesson_link,
)

__all__ = ["Problem", "check_content", "check_tree", "image_dimensions", "image_problems"]

MAX_IMAGE_BYTES = 200 * 1024  # "dưới 200 KB": a page must stay light on a prepaid phone plan
IMAGE_SUFFIXES = frozenset({".svg", ".png", ".jpg", ".jpeg", ".webp"})
RASTER_FORMATS = frozenset({"PNG", "JPEG", "WEBP"})
# Descriptions that tell a blind learner nothing (README: không viết "ảnh 1").
VAGUE_ALT = re.compile(r"^(ảnh|hình|hình ảnh|image|picture|photo|img)\s*\d*$", re.IGNORECASE)
# Links that run code or carry a whole file; the renderer refuses them and shows the raw text.
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "data", "file"})
_SVG_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*$")


def check_tree(root: Path) -> list[Problem]:
    """Read the content folder and return every problem, sorted by file then line."""
    return check_content(root)[1]


def check_content(root: Path) -> tuple[ContentTree, list[Problem]]:
    """The content tree together with every problem found while reading and checking it."""
    scan = scan_tree(root)
    problems = list(scan.problems)
    slide_counts: dict[tuple[Path, str], dict[str, int]] = {}
    for doc in scan.documents:
        found, slides = _check_markdown(doc, scan)
        problems += found
        slide_counts.setdefault((doc.course_dir, doc.stem), {})[doc.lang] = slides
    problems += _check_slide_counts(scan, slide_counts)
    for ref in scan.image_refs:
        problems += [Problem(ref.rel, ref.line, message) for message in image_problems(ref.course_dir, ref.src)]
    for name, quizzes in sorted(scan.quizzes.items()):
        # Measured only once every quiz of the course loads: counts over some of them would mislead.
        folder = f"courses/{name}/"
        if not any(p.path.startswith(folder) and p.path.endswith(".quiz.yaml") for p in problems):
            problems += quiz_measure_problems(folder + "course.yaml", quizzes, root)
    unique = list(dict.fromkeys(problems))
    return scan.tree, sorted(unique, key=lambda problem: (problem.path, problem.line))


def _check_markdown(doc: MarkdownDoc, scan: Scan) -> tuple[list[Problem], int]:
    """Problems in one lesson body, and how many projector slides (## headings) it has."""
    problems: list[Problem] = []
    slides = 0
    for token in _checking_parser().parse(doc.body):
        line = doc.first_line + (token.map[0] if token.map else 0)
        if token.type == "heading_open" and token.level == 0 and token.tag == "h2":
            slides += 1
        if token.type == "heading_open" and token.tag == "h1":
            problems.append(Problem(doc.rel, line, 'không dùng tiêu đề "#" (một dấu thăng): tên bài đã là tiêu đề lớn nhất; hãy dùng "## "'))
        elif token.type == "html_block" and not token.content.lstrip().startswith("<!--"):
            problems.append(Problem(doc.rel, line, _html_message(token.content)))
        for child, child_line in _inline_children(token, line):
            problems += [Problem(doc.rel, child_line, message) for message in _check_inline(child, doc, scan)]
    return problems, slides


@cache
def _checking_parser() -> MarkdownIt:
    """The lesson parser, except that it keeps every link it finds.

    The renderer's parser turns a `javascript:`, `vbscript:`, `data:` or `file:` link into plain
    text without a word; read with this one, such a link is a link and its scheme is reported.
    """
    parser = MarkdownIt("commonmark").enable("table")
    parser.validateLink = lambda url: True
    return parser


def _inline_children(token: Token, line: int) -> Iterator[tuple[Token, int]]:
    """Each inline child with its own line: a paragraph's soft line breaks move it down."""
    for child in token.children or ():
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        yield child, line


def _check_inline(token: Token, doc: MarkdownDoc, scan: Scan) -> list[str]:
    if token.type == "image":
        return _image_token_problems(token, doc)
    if token.type == "link_open":
        return _link_problems(str(token.attrGet("href") or ""), doc, scan)
    if token.type == "html_inline" and not token.content.startswith(("<!--", "</")):
        return [_html_message(token.content)]
    return []


def _html_message(raw: str) -> str:
    snippet = " ".join(raw.split())[:40]
    return f'có mã HTML ("{snippet}"): máy sẽ xoá phần này; hãy viết bằng Markdown'


def _image_token_problems(token: Token, doc: MarkdownDoc) -> list[str]:
    raw = str(token.attrGet("src") or "")
    src = unquote(raw)
    alt = "".join(child.content for child in token.children or ()).strip()
    problems = []
    if not alt:
        problems.append(f'ảnh "{src}" thiếu lời mô tả (alt): hãy viết điều quan trọng trong ảnh vào giữa [ ]')
    elif VAGUE_ALT.match(alt):
        problems.append(f'lời mô tả "{alt}" của ảnh "{src}" chưa nói gì về ảnh; hãy tả điều quan trọng trong ảnh')
    return problems + image_problems(doc.course_dir, raw)


def image_problems(course_dir: Path, src: str) -> list[str]:
    """What is wrong with an image a lesson or quiz names, relative to its course folder."""
    path, src = course_image_path(src), unquote(src)
    if "\\" in src:
        return [f'đường dẫn ảnh "{src}" phải dùng dấu "/" thay cho dấu "\\"']
    if path is None and _is_web_address(src):
        return [f'ảnh "{src}" phải là một tệp trong thư mục images/ của khoá học, không dùng đường link ngoài']
    if path is None:
        return [f'ảnh "{src}" nằm ngoài thư mục khoá học; hãy chép ảnh vào thư mục images/ của khoá học']
    if not path.startswith("images/"):
        return [f'ảnh "{src}" phải nằm trong thư mục images/ của khoá học']
    file = course_dir / path
    if Path(path).suffix.lower() not in IMAGE_SUFFIXES:
        return [f'ảnh "{src}" phải là tệp .svg, .png, .jpg hoặc .webp']
    if not file.is_file() or file.name not in {p.name for p in file.parent.iterdir()}:
        return [f'không tìm thấy ảnh "{src}" (kiểm tra tên tệp, kể cả chữ hoa chữ thường)']
    size = file.stat().st_size
    if size > MAX_IMAGE_BYTES:
        return [f'ảnh "{src}" nặng {round(size / 1024)} KB, quá giới hạn 200 KB; hãy thu nhỏ ảnh']
    if file.suffix.lower() == ".svg":
        return _svg_problems(file, src)
    width, _ = image_dimensions(file)
    return [] if width else [f'không đọc được ảnh "{src}"; tệp có thể bị hỏng hoặc sai định dạng']


def _is_web_address(src: str) -> bool:
    try:
        parts = urlsplit(src)
    except ValueError:
        return True
    return bool(parts.scheme or parts.netloc or src.startswith("/"))


def _svg_problems(file: Path, src: str) -> list[str]:
    try:
        root = ElementTree.parse(file).getroot()
    except (ElementTree.ParseError, OSError, ValueError):
        return [f'không đọc được ảnh SVG "{src}"; tệp có thể bị hỏng']
    if not root.tag.endswith("svg"):
        return [f'tệp "{src}" không phải ảnh SVG']
    if not all(_SVG_LENGTH.match(root.get(name) or "") for name in ("width", "height")):
        return [f'ảnh SVG "{src}" phải ghi width và height bằng số, ví dụ width="320" height="200"']
    return []


def image_dimensions(path: Path) -> tuple[int | None, int | None]:
    """Width and height in CSS pixels of an SVG (its attributes) or a PNG, JPEG or WebP (via Pillow)."""
    if path.suffix.lower() == ".svg":
        try:
            root = ElementTree.parse(path).getroot()
        except (ElementTree.ParseError, OSError, ValueError):
            return None, None
        sizes = [_SVG_LENGTH.match(root.get(name) or "") for name in ("width", "height")]
        return tuple(round(float(m.group(1))) if m else None for m in sizes)  # type: ignore[return-value]
    try:
        with warnings.catch_warnings():
            # A huge pixel count is only read for its header here, never decoded.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                return (image.width, image.height) if image.format in RASTER_FORMATS else (None, None)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None, None


def _link_problems(raw: str, doc: MarkdownDoc, scan: Scan) -> list[str]:
    """Links may go to the web, to e-mail or phone, or to another lesson's file that exists."""
    href = unquote(raw)
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return [f'liên kết "{href}" viết sai']
    if scheme in SCRIPT_SCHEMES:
        return [f'liên kết "{href[:60]}" không được phép: "{scheme}:" không phải trang web, trang sẽ hiện nguyên văn; '
                "chỉ dùng http, https, mailto, tel hoặc tên tệp bài học"]
    if scheme and scheme not in URL_SCHEMES:
        return [f'liên kết "{href}" không được phép; chỉ dùng http, https, mailto, tel hoặc tên tệp bài học']
    if not is_markdown_link(href):
        return []
    target = parse_lesson_link(href)
    if target is None:
        return [f'liên kết "{href}" không đúng dạng tên tệp bài học, ví dụ 02-mat-khau-manh.md hoặc ../thanh-toan-so/02-thanh-toan-qr.md']
    course, lesson = target
    course = course or doc.course_dir.name
    if course not in scan.lesson_slugs:
        return [f'liên kết "{href}": không có khoá học "{course}"']
    if lesson not in scan.lesson_slugs[course]:
        return [f'liên kết "{href}": bài "{lesson}" không tồn tại trong khoá học "{course}"']
    return []


def _check_slide_counts(scan: Scan, counts: dict[tuple[Path, str], dict[str, int]]) -> list[Problem]:
    """The projector shows the same slide in both languages, so both need the same ## headings."""
    problems = []
    for doc in scan.documents:
        pair = counts[(doc.course_dir, doc.stem)]
        if doc.lang == "en" and "vi" in pair and pair["vi"] != pair["en"]:
            problems.append(Problem(doc.rel, doc.first_line, (
                f'bản tiếng Anh có {pair["en"]} trang chiếu ("## "), bản tiếng Việt có {pair["vi"]}; hãy giữ số trang bằng nhau')))
    return problems


# ---- quizzes that measure (content/README.md; issue 16) -------------------------------------
# Per course, the lesson checks and the final quiz together. Single-answer questions are those
# whose key is one of several written choices (single, scenario); picture questions are left out
# (their choices are drawings), and true/false questions have no choices.
ONE_KEY_TYPES = frozenset({"single", "scenario"})


def quiz_measure_problems(course_file: str, quizzes: Sequence[QuizSource], root: Path | None = None) -> list[Problem]:
    """What a machine can tell about a course's quizzes that can be passed without reading the lessons.

    `quizzes` are all of the course's quizzes (checks and final); problems are reported on its course.yaml.
    """
    questions: list[tuple[str, QuestionSource]] = []
    for quiz in quizzes:
        questions += [(_rel(quiz.path, root), q) for q in quiz.questions]
    single = [(where, q) for where, q in questions if q.type in ONE_KEY_TYPES and isinstance(q.answer, str)]
    multiple = [(where, q) for where, q in questions if q.type == "multiple"]
    problems = []
    longest = [(where, q) for where, q in single if _key_is_longest(q)]
    if single and 3 * len(longest) > len(single):
        problems.append(Problem(course_file, 1, (
            f"đáp án đúng là lựa chọn dài nhất ở {len(longest)}/{len(single)} câu một đáp án của khoá "
            f"(tối đa một phần ba: {len(single) // 3} câu); người học đoán được mà không cần đọc bài. "
            f"Hãy viết đáp án gọn lại, hoặc một lựa chọn sai dài hơn, ở vài câu: {_places(longest)}")))
    positions = Counter(_key_position(q) for _, q in single)
    if len(single) >= 2:
        for position, count in sorted(positions.items()):
            if 2 * count > len(single):
                at = [(where, q) for where, q in single if _key_position(q) == position]
                problems.append(Problem(course_file, 1, (
                    f"đáp án đúng là lựa chọn thứ {position} ở {count}/{len(single)} câu một đáp án của khoá "
                    f"(không được quá một nửa); hãy đổi chỗ các lựa chọn ở vài câu: {_places(at)}")))
    all_but_one = [(where, q) for where, q in multiple if len(set(q.answer)) == len(q.choices) - 1]  # type: ignore[arg-type]
    if multiple and 2 * len(all_but_one) > len(multiple):
        problems.append(Problem(course_file, 1, (
            f'đáp án là "tất cả trừ một lựa chọn" ở {len(all_but_one)}/{len(multiple)} câu chọn nhiều đáp án của khoá '
            f"(không được quá một nửa); người học chọn hết trừ câu lạ nhất là đúng. Hãy đổi ở vài câu: {_places(all_but_one)}")))
    return problems


def _key_is_longest(question: QuestionSource) -> bool:
    """The key's Vietnamese text is longer than every other choice's (ties do not count)."""
    lengths = {c.key: len(c.text.get("vi", "")) for c in question.choices}
    key_length = lengths.get(question.answer, 0)  # type: ignore[arg-type]
    return key_length > 0 and all(length < key_length for key, length in lengths.items() if key != question.answer)


def _key_position(question: QuestionSource) -> int:
    """1 for the first choice as written in the file, 2 for the second…"""
    return next((i for i, c in enumerate(question.choices, 1) if c.key == question.answer), 0)


def _places(found: list[tuple[str, QuestionSource]]) -> str:
    return ", ".join(f"{where.rsplit('/', 1)[-1]}:{q.line}" for where, q in found)


def _rel(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return path.as_posix()
