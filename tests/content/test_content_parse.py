"""Reading a content folder into a ContentTree."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from conftest import LESSON_2, QUIZ_1, png_bytes

from lms.content.model import ChoiceSource, ContentTree, CourseSource, QuestionSource
from lms.content.parse import load_tree
from lms.content.question_types import get_question_type
from lms.content.reader import split_front_matter
from lms.content.yaml_lines import LineDict, LineList, load_yaml


def test_a_complete_course_parses_without_problems(content):
    content.course()
    tree, problems = load_tree(content.root)

    assert problems == []
    assert isinstance(tree, ContentTree)
    course = tree.course("an-toan")
    assert isinstance(course, CourseSource)
    assert (course.version, course.level, course.minutes) == (1, 1, 20)
    assert course.audiences == ("everyone", "elderly")
    assert course.competences == ("4.2",)
    assert course.title == {"vi": "An toàn trên mạng", "en": "Staying safe online"}
    assert course.summary["en"] == "Recognise common scams."
    assert [(lesson.position, lesson.slug) for lesson in course.lessons] == [(1, "cuoc-goi"), (2, "mat-khau")]
    assert course.path == content.root / "courses" / "an-toan"
    assert len(course.content_hash) == 64 and int(course.content_hash, 16) >= 0


def test_lesson_fields_and_english_version(content):
    content.course()
    lesson = load_tree(content.root)[0].courses[0].lesson("cuoc-goi")

    assert lesson.title == {"vi": "Nhận diện cuộc gọi lừa đảo", "en": "Spotting scam calls"}
    assert lesson.minutes == 8
    assert lesson.competences == ("4.2",)
    assert lesson.markdown["vi"].startswith("Bà Lan nhận một cuộc gọi lạ.")
    assert "---" not in lesson.markdown["vi"] and "title:" not in lesson.markdown["vi"]
    assert lesson.markdown["en"].startswith("Mrs Lan gets a strange call.")
    assert lesson.path.name == "01-cuoc-goi.md"


def test_missing_english_is_absent_not_a_problem(content):
    content.course()
    tree, problems = load_tree(content.root)
    lesson = tree.courses[0].lesson("mat-khau")

    assert problems == []
    assert lesson.title == {"vi": "Mật khẩu mạnh"}
    assert set(lesson.markdown) == {"vi"}
    assert lesson.competences == ()


def test_quizzes_are_attached_with_their_kind(content):
    content.course()
    course = load_tree(content.root)[0].courses[0]
    check = course.lesson("cuoc-goi").check_quiz
    final = course.final_quiz

    assert (check.kind, check.pass_mark, check.max_attempts) == ("check", None, None)
    assert [q.key for q in check.questions] == ["otp", "cong-an"]
    assert (final.kind, final.pass_mark, final.max_attempts) == ("final", 80, 3)
    assert final.path.name == "final.quiz.yaml"


def test_questions_are_normalised_by_type(content):
    content.course()
    course = load_tree(content.root)[0].courses[0]
    single, true_false = course.lesson("cuoc-goi").check_quiz.questions
    multiple, picture = course.lesson("mat-khau").check_quiz.questions
    sms, transfer = course.final_quiz.questions

    assert isinstance(single, QuestionSource)
    assert single.answer == "b" and single.line == 2
    assert single.choices[0] == ChoiceSource("a", {"vi": "Đọc mã cho họ", "en": "Read it out"}, None, {})
    assert true_false.answer is False and true_false.choices == ()
    assert multiple.answer == ("b",)
    assert multiple.choice("a").text == {"vi": "123456"}  # a number-looking text stays text
    assert picture.choices[1].image == "images/ma-vach.svg"
    assert picture.choices[1].alt == {"vi": "Một mã vạch", "en": "A barcode"}
    assert sms.screen == {
        "kind": "sms", "sender": {"vi": "NganHang"},
        "body": {"vi": "Tài khoản bị khoá. Bấm link.", "en": "Your account is locked."},
        "link": "http://mo-khoa.example",
    }
    assert transfer.screen["account"] == "0123456789"
    assert transfer.screen["amount"] == 5_000_000


def test_vietnamese_text_is_normalised_to_nfc(content):
    decomposed = unicodedata.normalize("NFD", "Mật khẩu mạnh")
    content.course(files={"02-mat-khau.md": LESSON_2.replace("Mật khẩu mạnh", decomposed)})
    lesson = load_tree(content.root)[0].courses[0].lesson("mat-khau")

    assert decomposed != "Mật khẩu mạnh"
    assert lesson.title["vi"] == "Mật khẩu mạnh"
    assert lesson.markdown["vi"].startswith("Mật khẩu mạnh dài")


def test_byte_order_mark_and_windows_line_ends_are_accepted(content):
    course_dir = content.course()
    text = LESSON_2.replace("\n", "\r\n")
    (course_dir / "02-mat-khau.md").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    tree, problems = load_tree(content.root)

    assert problems == []
    assert tree.courses[0].lesson("mat-khau").title == {"vi": "Mật khẩu mạnh"}


def test_lessons_are_ordered_by_number_and_keep_it_as_position(content):
    content.course(files={"02-mat-khau.md": None, "02-mat-khau.quiz.yaml": None,
                          "07-mat-khau.md": LESSON_2, "07-mat-khau.quiz.yaml": None})
    lessons = load_tree(content.root)[0].courses[0].lessons

    assert [(lesson.position, lesson.slug) for lesson in lessons] == [(1, "cuoc-goi"), (7, "mat-khau")]


def test_content_hash_is_stable_and_follows_changes(content):
    course_dir = content.course()
    first = load_tree(content.root)[0].courses[0]
    again = load_tree(content.root)[0].courses[0]
    assert first.content_hash == again.content_hash
    assert first.lessons[1].content_hash == again.lessons[1].content_hash

    (course_dir / "01-cuoc-goi.quiz.yaml").write_text("# chỉ thêm ghi chú\n" + QUIZ_1, encoding="utf-8")
    commented = load_tree(content.root)[0].courses[0]
    assert commented.content_hash == first.content_hash  # comments and line numbers are not content

    (course_dir / "02-mat-khau.md").write_text(LESSON_2.replace("dài và", "rất dài và"), encoding="utf-8")
    edited = load_tree(content.root)[0].courses[0]
    assert edited.lessons[1].content_hash != first.lessons[1].content_hash
    assert edited.lessons[0].content_hash == first.lessons[0].content_hash
    assert edited.content_hash != first.content_hash


def test_changed_image_changes_the_course_hash(content):
    course_dir = content.course()
    before = load_tree(content.root)[0].courses[0].content_hash
    (course_dir / "images" / "bieu-do.png").write_bytes(png_bytes(41, 30))

    assert load_tree(content.root)[0].courses[0].content_hash != before


def test_renumbering_keeps_the_lesson_hash(content):
    content.course()
    before = load_tree(content.root)[0].courses[0].lesson("mat-khau").content_hash
    content.course("an-toan", {"02-mat-khau.md": None})
    (content.root / "courses/an-toan/02-mat-khau.md").rename(content.root / "courses/an-toan/03-mat-khau.md")
    (content.root / "courses/an-toan/02-mat-khau.quiz.yaml").rename(
        content.root / "courses/an-toan/03-mat-khau.quiz.yaml")
    lesson = load_tree(content.root)[0].courses[0].lesson("mat-khau")

    assert lesson.position == 3
    assert lesson.content_hash == before


def test_a_course_with_a_broken_course_yaml_is_left_out(content):
    content.course("tot")
    content.course("hong", {"course.yaml": None})
    tree, problems = load_tree(content.root)

    assert [course.slug for course in tree.courses] == ["tot"]
    assert [str(p) for p in problems] == [
        "courses/hong/course.yaml:1: thiếu tệp course.yaml (thông tin chung của khoá học)"]


def test_missing_courses_folder_is_one_problem(tmp_path):
    tree, problems = load_tree(tmp_path)

    assert tree.courses == ()
    assert [(p.path, p.line) for p in problems] == [("courses", 1)]


def test_yaml_keeps_lines_of_keys_and_items():
    data, duplicates = load_yaml("a: 1\nlist:\n  - x\n  - {id: y}\nb: 2\n", line_offset=10)

    assert isinstance(data, LineDict) and data.line == 11
    assert data.key_lines == {"a": 11, "list": 12, "b": 15}
    assert isinstance(data["list"], LineList)
    assert data["list"].item_lines == [13, 14]
    assert data["list"][1].line == 14
    assert duplicates == []


def test_yaml_reports_repeated_keys():
    _, duplicates = load_yaml("title: A\nminutes: 3\ntitle: B\n")

    assert duplicates == [(3, "title")]


def test_yaml_avoids_surprises_for_authors():
    data, _ = load_yaml("en: No\nother: on\nphone: 0123\ntime: 10:30\nday: 2025-03-11\nyes_flag: true\nn: 7\n")

    assert data == {"en": "No", "other": "on", "phone": "0123", "time": "10:30",
                    "day": "2025-03-11", "yes_flag": True, "n": 7}


def test_split_front_matter_maps_each_part_back_to_file_lines():
    text = "\n---\ntitle: A\nminutes: 3\n---\n\nBody\nmore\n"
    file_lines = text.split("\n")
    fm, fm_line, body, body_line = split_front_matter(text)

    assert fm.strip() == "title: A\nminutes: 3"
    for offset, line in enumerate(fm.split("\n")):
        assert file_lines[fm_line - 1 + offset].endswith(line)  # the first piece ends the "---" line
    assert body.strip() == "Body\nmore"
    for offset, line in enumerate(body.split("\n")):
        assert file_lines[body_line - 1 + offset].endswith(line)
    assert split_front_matter("no front matter\n") == (None, 1, "no front matter\n", 1)


def test_the_authors_guide_examples_load_and_validate():
    guide = Path(__file__).resolve().parents[2] / "content" / "README.md"
    blocks = re.findall(r"```yaml\n(.*?)```", guide.read_text(encoding="utf-8"), re.DOTALL)
    questions = []
    for block in blocks:
        data, duplicates = load_yaml(block)  # "?" inside {vi: …?, en: …?} must not be a syntax error
        assert duplicates == []
        questions += data if isinstance(data, list) else data.get("questions", [])
    problems = [message for item in questions for _, message in get_question_type(item["type"]).validate(item)]

    assert len(blocks) >= 3 and len(questions) >= 3
    # The only slip allowed is an unquoted comma inside {vi: …, en: …}, which gets a hint to quote it.
    assert all("hãy đặt cả câu trong dấu nháy kép" in message for message in problems), problems


def test_question_marks_inside_flow_mappings_are_text():
    data, _ = load_yaml("prompt: {vi: Đâu là mã QR?, en: Which one is it?}\nlist: [a?, b]\n")

    assert data == {"prompt": {"vi": "Đâu là mã QR?", "en": "Which one is it?"}, "list": ["a?", "b"]}
