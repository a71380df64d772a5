"""Reading one content file: its text, a YAML mapping with each key's line, front matter, and the
fields every kind of file shares, each problem reported with its file and line."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import frontmatter
import yaml

from lms.content.competences import COMPETENCES
from lms.content.model import ImageRef, MarkdownDoc, Problem, QuizSource, lang_text, nfc, text_problem
from lms.content.question_base import item_line, line_of
from lms.content.yaml_lines import LineDict, LineList, load_yaml, yaml_message

_FRONT_MATTER = frontmatter.YAMLHandler()


class Reader:
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


def read_int(reader: Reader, path: Path, data: LineDict, key: str, meaning: str,
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


def read_text_field(reader: Reader, path: Path, data: LineDict, key: str, meaning: str) -> dict[str, str] | None:
    """A required text field, plain Vietnamese or {vi, en}."""
    if key not in data:
        reader.report(path, line_of(data), f'thiếu "{key}" ({meaning})')
        return None
    reason = text_problem(data[key])
    if reason:
        reader.report(path, line_of(data, key), f'"{key}" ({meaning}) {reason}')
        return None
    return lang_text(data[key])


def read_codes(reader: Reader, path: Path, data: LineDict, required: bool) -> tuple[str, ...] | None:
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


def report_unknown_keys(reader: Reader, path: Path, data: LineDict, allowed: set[str]) -> None:
    """Typos in optional fields would otherwise be lost silently."""
    for key in data:
        if key not in allowed:
            reader.report(path, line_of(data, key), f'không hiểu dòng "{key}" — kiểm tra lại chính tả')
