"""A lesson's files: the Vietnamese markdown and its English version, each with front matter
(title, minutes, competences) and the list of sources the lesson was written from."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

from lms.content.model import LessonSource, MarkdownDoc, QuizSource, SourceRef, content_hash, html_problem, nfc
from lms.content.question_base import item_line, line_of
from lms.content.reader import (
    Reader, read_codes, read_int, read_text_field, report_unknown_keys, split_front_matter,
)
from lms.content.yaml_lines import LineDict


def _read_markdown(reader: Reader, path: Path, course_dir: Path, stem: str, lang: str) -> tuple[LineDict | None, str] | None:
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


def read_lesson(reader: Reader, course_dir: Path, stem: str, position: int, slug: str,
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


def _read_lesson_file(reader: Reader, course_dir: Path, stem: str, lang: str
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


def read_sources(reader: Reader, path: Path, meta: LineDict, today: date | None = None
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


def _read_source(reader: Reader, path: Path, item: LineDict, item_at: int, today: date) -> SourceRef | None:
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
