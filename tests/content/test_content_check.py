"""Every content rule produces a problem naming the right file and line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import COURSE_YAML, FINAL_QUIZ, LESSON_1_EN, LESSON_2, QUIZ_1, QUIZ_2, SVG, png_bytes

from lms.content.__main__ import main
from lms.content.check import Problem, check_content, check_tree, image_dimensions

COURSE = "courses/an-toan"


def drop_line(text: str, number: int, last: int | None = None) -> str:
    """The text without its number-th line (1-based), or lines number..last."""
    lines = text.splitlines(keepends=True)
    return "".join(lines[: number - 1] + lines[(last or number):])


def set_line(text: str, number: int, new: str) -> str:
    """The text with its number-th line (1-based) replaced."""
    lines = text.splitlines(keepends=True)
    lines[number - 1] = new + "\n"
    return "".join(lines)


def block_source(title: str | None = "Cẩm nang", publisher: str | None = "Bộ Công an",
                 url: str | None = "https://bocongan.example/a", checked: str | None = "2026-11-30") -> str:
    """A sources list written in block form: title on line +1, publisher +2, url +3, checked +4."""
    lines = ["sources:"]
    for index, (key, value) in enumerate((("title", title), ("publisher", publisher), ("url", url), ("checked", checked))):
        if value is not None:
            lines.append(f"  {'- ' if index == 0 else '  '}{key}: {value}")
    return "\n".join(lines)


def only_problem(content, files: dict[str, str | bytes | None]) -> Problem:
    """Build the default course changed by `files` and return its single problem."""
    content.course(files=files)
    problems = check_tree(content.root)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_the_valid_course_has_no_problem(content):
    content.course()
    assert check_tree(content.root) == []


def test_problem_prints_as_file_line_message():
    problem = Problem("courses/a/02-x.md", 14, 'ảnh "images/khoa.png" thiếu lời mô tả (alt)')
    assert str(problem) == 'courses/a/02-x.md:14: ảnh "images/khoa.png" thiếu lời mô tả (alt)'


CASES = [
    # course.yaml
    ("yaml syntax", {"course.yaml": "version: 1\nlevel: 1\ntitle: Bài: một\n"}, "course.yaml", 3, "dấu hai chấm"),
    ("yaml tab", {"course.yaml": COURSE_YAML.replace("  vi: An toàn", "\tvi: An toàn")}, "course.yaml", 7, "Tab"),
    ("no title", {"course.yaml": drop_line(COURSE_YAML, 6, last=8)},
     "course.yaml", 1, 'thiếu "title"'),
    ("level 9", {"course.yaml": set_line(COURSE_YAML, 2, "level: 9")}, "course.yaml", 2, "từ 1 đến 8"),
    ("level 0", {"course.yaml": set_line(COURSE_YAML, 2, "level: 0")}, "course.yaml", 2, "từ 1 đến 8"),
    ("version", {"course.yaml": set_line(COURSE_YAML, 1, "version: một")}, "course.yaml", 1, '"version"'),
    ("minutes", {"course.yaml": set_line(COURSE_YAML, 3, "minutes: 0")}, "course.yaml", 3, '"minutes"'),
    ("audience", {"course.yaml": set_line(COURSE_YAML, 4, "audiences: [everyone, tre-em]")},
     "course.yaml", 4, 'đối tượng "tre-em" không có trong danh sách'),
    ("competence", {"course.yaml": set_line(COURSE_YAML, 5, 'competences: ["9.9"]')},
     "course.yaml", 5, 'mã năng lực "9.9" không có trong khung năng lực số'),
    ("unquoted code", {"course.yaml": set_line(COURSE_YAML, 5, "competences: [4.2]")},
     "course.yaml", 5, 'dấu nháy kép: "4.2"'),
    ("no competences", {"course.yaml": drop_line(COURSE_YAML, 5)}, "course.yaml", 1, 'thiếu "competences"'),
    ("title lang", {"course.yaml": set_line(COURSE_YAML, 7, "  vn: An toàn")}, "course.yaml", 6, 'không dùng "vn"'),
    ("typo key", {"course.yaml": COURSE_YAML + "levle: 2\n"}, "course.yaml", 12, 'không hiểu dòng "levle"'),
    ("repeated key", {"course.yaml": COURSE_YAML + "level: 2\n"}, "course.yaml", 12, "viết hai lần"),
    # lesson front matter
    ("lesson minutes", {"02-mat-khau.md": set_line(LESSON_2, 3, "minutes: tám")}, "02-mat-khau.md", 3, '"minutes"'),
    ("lesson title", {"02-mat-khau.md": drop_line(LESSON_2, 2)}, "02-mat-khau.md", 2, 'thiếu "title"'),
    ("lesson code", {"02-mat-khau.md": LESSON_2.replace("minutes: 6", 'minutes: 6\ncompetences: ["7.1"]')},
     "02-mat-khau.md", 4, 'mã năng lực "7.1"'),
    ("no front matter", {"02-mat-khau.md": "Chỉ có chữ.\n"}, "02-mat-khau.md", 1, "thông tin đầu bài"),
    ("front matter yaml", {"02-mat-khau.md": set_line(LESSON_2, 2, "title: Mật khẩu: mạnh")},
     "02-mat-khau.md", 2, "lỗi cú pháp YAML"),
    ("english title", {"01-cuoc-goi.en.md": set_line(LESSON_1_EN, 2, "minutes: 8")},
     "01-cuoc-goi.en.md", 2, 'thiếu "title"'),
    # file names
    ("spaces", {"Bai 1.md": LESSON_2}, "Bai 1.md", 1, "không đúng mẫu"),
    ("capitals", {"03-Mat-Khau.md": LESSON_2}, "03-Mat-Khau.md", 1, "không đúng mẫu"),
    ("one digit", {"3-mat-khau.md": LESSON_2}, "3-mat-khau.md", 1, "không đúng mẫu"),
    ("yaml name", {"ghi-chu.yaml": "a: 1\n"}, "ghi-chu.yaml", 1, "không đúng mẫu"),
    ("same slug", {"03-mat-khau.md": LESSON_2}, "03-mat-khau.md", 1, 'mã bài "mat-khau" đã dùng cho "02-mat-khau.md"'),
    ("same number", {"02-khac.md": LESSON_2}, "02-mat-khau.md", 1, 'hai bài cùng số 02'),
    ("lonely quiz", {"03-mat-tich.quiz.yaml": QUIZ_1}, "03-mat-tich.quiz.yaml", 1, 'không có bài học "03-mat-tich.md"'),
    ("lonely english", {"03-mat-tich.en.md": LESSON_1_EN}, "03-mat-tich.en.md", 1, 'không có bản tiếng Việt'),
    # questions
    ("unknown type", {"01-cuoc-goi.quiz.yaml": set_line(QUIZ_1, 3, "    type: essay")},
     "01-cuoc-goi.quiz.yaml", 3, 'loại câu hỏi "essay" không có'),
    ("no type", {"01-cuoc-goi.quiz.yaml": drop_line(QUIZ_1, 3)}, "01-cuoc-goi.quiz.yaml", 2, 'thiếu "type"'),
    ("same question id", {"01-cuoc-goi.quiz.yaml": set_line(QUIZ_1, 12, "  - id: otp")},
     "01-cuoc-goi.quiz.yaml", 12, 'mã câu hỏi "otp" bị trùng'),
    ("one choice", {"01-cuoc-goi.quiz.yaml": drop_line(drop_line(QUIZ_1, 9), 8).replace("answer: b", "answer: a")},
     "01-cuoc-goi.quiz.yaml", 5, "có 2 lựa chọn; cần từ 3 đến 6"),
    ("same choice id", {"01-cuoc-goi.quiz.yaml": set_line(QUIZ_1, 8, "      - id: a").replace("answer: b", "answer: a")},
     "01-cuoc-goi.quiz.yaml", 8, 'mã lựa chọn "a" bị trùng'),
    ("choice text", {"01-cuoc-goi.quiz.yaml": drop_line(QUIZ_1, 9)}, "01-cuoc-goi.quiz.yaml", 8, 'thiếu "text"'),
    ("wrong answer", {"01-cuoc-goi.quiz.yaml": set_line(QUIZ_1, 10, "    answer: z")},
     "01-cuoc-goi.quiz.yaml", 10, 'đáp án "z" không nằm trong các lựa chọn'),
    ("single as list", {"01-cuoc-goi.quiz.yaml": set_line(QUIZ_1, 10, "    answer: [a, b]")},
     "01-cuoc-goi.quiz.yaml", 10, "mã của một lựa chọn"),
    ("no explanation", {"01-cuoc-goi.quiz.yaml": drop_line(QUIZ_1, 11)}, "01-cuoc-goi.quiz.yaml", 2, 'thiếu "explanation"'),
    ("true_false text", {"01-cuoc-goi.quiz.yaml": set_line(QUIZ_1, 15, "    answer: sai")},
     "01-cuoc-goi.quiz.yaml", 15, "true (đúng) hoặc false (sai)"),
    ("true_false choices", {"01-cuoc-goi.quiz.yaml": QUIZ_1 + "    choices: [{id: a, text: Có}, {id: b, text: Không}]\n"},
     "01-cuoc-goi.quiz.yaml", 17, 'không cần "choices"'),
    ("multiple one id", {"02-mat-khau.quiz.yaml": set_line(QUIZ_2, 9, "    answer: b")},
     "02-mat-khau.quiz.yaml", 9, "danh sách"),
    ("multiple empty", {"02-mat-khau.quiz.yaml": set_line(QUIZ_2, 9, "    answer: []")},
     "02-mat-khau.quiz.yaml", 9, "danh sách"),
    ("multiple unknown", {"02-mat-khau.quiz.yaml": set_line(QUIZ_2, 9, "    answer: [b, z]")},
     "02-mat-khau.quiz.yaml", 9, 'đáp án "z" không nằm trong các lựa chọn'),
    ("picture alt", {"02-mat-khau.quiz.yaml": drop_line(QUIZ_2, 17)}, "02-mat-khau.quiz.yaml", 15, 'thiếu "alt"'),
    ("picture image", {"02-mat-khau.quiz.yaml": drop_line(QUIZ_2, 19)}, "02-mat-khau.quiz.yaml", 18, 'thiếu "image"'),
    ("picture file", {"02-mat-khau.quiz.yaml": set_line(QUIZ_2, 16, "        image: images/khong-co.svg")},
     "02-mat-khau.quiz.yaml", 16, 'không tìm thấy ảnh "images/khong-co.svg"'),
    ("no screen", {"final.quiz.yaml": drop_line(FINAL_QUIZ, 6, last=10)}, "final.quiz.yaml", 4, 'cần "screen"'),
    ("unknown kind", {"final.quiz.yaml": set_line(FINAL_QUIZ, 7, "      kind: email")},
     "final.quiz.yaml", 7, 'loại màn hình "kind: email" không có'),
    ("screen field", {"final.quiz.yaml": drop_line(FINAL_QUIZ, 25)}, "final.quiz.yaml", 21, 'thiếu dòng "amount"'),
    ("real link", {"final.quiz.yaml": set_line(FINAL_QUIZ, 10, "      link: https://vietcombank.com.vn")},
     "final.quiz.yaml", 10, 'kết thúc bằng ".example"'),
    ("no pass mark", {"final.quiz.yaml": drop_line(FINAL_QUIZ, 1)}, "final.quiz.yaml", 1, 'thiếu "pass_mark"'),
    ("pass mark 0", {"final.quiz.yaml": set_line(FINAL_QUIZ, 1, "pass_mark: 0")}, "final.quiz.yaml", 1, "từ 1 đến 100"),
    ("pass mark 101", {"final.quiz.yaml": set_line(FINAL_QUIZ, 1, "pass_mark: 101")}, "final.quiz.yaml", 1, "từ 1 đến 100"),
    ("attempts 0", {"final.quiz.yaml": set_line(FINAL_QUIZ, 2, "max_attempts: 0")}, "final.quiz.yaml", 2, "từ 1 trở lên"),
    ("check pass mark", {"01-cuoc-goi.quiz.yaml": "pass_mark: 80\n" + QUIZ_1}, "01-cuoc-goi.quiz.yaml", 1,
     "chỉ bài kiểm tra cuối khoá"),
    ("no questions", {"01-cuoc-goi.quiz.yaml": "questions: []\n"}, "01-cuoc-goi.quiz.yaml", 1, 'thiếu "questions"'),
    # lesson markdown (LESSON_2: line 8 is "## Cách đặt", line 10 the image)
    ("no alt", {"02-mat-khau.md": set_line(LESSON_2, 11, "![](images/bieu-do.png)")},
     "02-mat-khau.md", 11, 'ảnh "images/bieu-do.png" thiếu lời mô tả (alt)'),
    ("vague alt", {"02-mat-khau.md": set_line(LESSON_2, 11, "![ảnh 1](images/bieu-do.png)")},
     "02-mat-khau.md", 11, "chưa nói gì về ảnh"),
    ("missing image", {"02-mat-khau.md": set_line(LESSON_2, 11, "![Ổ khoá](images/khoa.png)")},
     "02-mat-khau.md", 11, 'không tìm thấy ảnh "images/khoa.png"'),
    ("outside course", {"02-mat-khau.md": set_line(LESSON_2, 11, "![Ổ khoá](../khac/images/khoa.png)")},
     "02-mat-khau.md", 11, 'ảnh "../khac/images/khoa.png" nằm ngoài thư mục khoá học'),
    ("backslash", {"02-mat-khau.md": set_line(LESSON_2, 11, "![Biểu đồ](images\\bieu-do.png)")},
     "02-mat-khau.md", 11, 'phải dùng dấu "/"'),
    ("accented name", {"02-mat-khau.md": set_line(LESSON_2, 11, "![Ổ khoá](images/ổ-khoá.png)")},
     "02-mat-khau.md", 11, 'không tìm thấy ảnh "images/ổ-khoá.png"'),
    ("empty lesson", {"02-mat-khau.md": LESSON_2.split("Mật khẩu mạnh dài")[0], "02-mat-khau.quiz.yaml": None},
     "02-mat-khau.md", 1, "bài học chưa có nội dung"),
    ("outside images", {"02-mat-khau.md": set_line(LESSON_2, 11, "![Ổ khoá](khoa.png)"), "khoa.png": png_bytes()},
     "02-mat-khau.md", 11, "phải nằm trong thư mục images/"),
    ("web image", {"02-mat-khau.md": set_line(LESSON_2, 11, "![Ổ khoá](https://anh.example/khoa.png)")},
     "02-mat-khau.md", 11, "không dùng đường link ngoài"),
    ("big image", {"images/bieu-do.png": png_bytes() + bytes(210 * 1024)}, "02-mat-khau.md", 11, "quá giới hạn 200 KB"),
    ("svg size", {"images/tin-nhan.svg": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"/>'},
     "01-cuoc-goi.md", 15, "phải ghi width và height"),
    ("broken png", {"images/bieu-do.png": b"not an image at all"}, "02-mat-khau.md", 11, "không đọc được ảnh"),
    ("gif", {"02-mat-khau.md": set_line(LESSON_2, 11, "![Ổ khoá](images/khoa.gif)")}, "02-mat-khau.md", 11, ".svg, .png"),
    ("h1", {"02-mat-khau.md": set_line(LESSON_2, 9, "# Cách đặt")}, "02-mat-khau.md", 9, 'không dùng tiêu đề "#"'),
    ("later line", {"02-mat-khau.md": LESSON_2 + "\nDòng một\ndòng hai ![](images/bieu-do.png)\n"},
     "02-mat-khau.md", 14, "thiếu lời mô tả"),
    ("dead link", {"02-mat-khau.md": LESSON_2 + "\n[bài cũ](09-khong-co.md)\n"}, "02-mat-khau.md", 13,
     'bài "khong-co" không tồn tại'),
    ("other course", {"02-mat-khau.md": LESSON_2 + "\n[QR](../thanh-toan/02-qr.md)\n"}, "02-mat-khau.md", 13,
     'không có khoá học "thanh-toan"'),
    ("link form", {"02-mat-khau.md": LESSON_2 + "\n[bài hai](bai-hai.md)\n"}, "02-mat-khau.md", 13, "không đúng dạng"),
    ("link scheme", {"02-mat-khau.md": LESSON_2 + "\n[tải](ftp://tai.example/a)\n"}, "02-mat-khau.md", 13,
     "không được phép"),
    ("raw html", {"02-mat-khau.md": LESSON_2 + '\n<iframe src="https://x.example"></iframe>\n'},
     "02-mat-khau.md", 13, "có mã HTML"),
    ("slides", {"01-cuoc-goi.en.md": LESSON_1_EN.replace("## What to do", "What to do")},
     "01-cuoc-goi.en.md", 5, "bản tiếng Anh có 1 trang chiếu"),
    # sources (LESSON_2 line 4 is its sources line)
    ("no sources", {"02-mat-khau.md": drop_line(LESSON_2, 4)}, "02-mat-khau.md", 2, 'thiếu "sources"'),
    ("english no sources", {"01-cuoc-goi.en.md": drop_line(LESSON_1_EN, 3)}, "01-cuoc-goi.en.md", 2, 'thiếu "sources"'),
    ("empty sources", {"02-mat-khau.md": set_line(LESSON_2, 4, "sources: []")}, "02-mat-khau.md", 4,
     "ít nhất một nguồn"),
    ("source not a mapping", {"02-mat-khau.md": set_line(LESSON_2, 4, "sources: [https://a.example]")},
     "02-mat-khau.md", 4, "mỗi nguồn cần bốn dòng"),
    ("source javascript", {"02-mat-khau.md": set_line(LESSON_2, 4, block_source(url="javascript:alert(1)"))},
     "02-mat-khau.md", 7, 'đường link "javascript:alert(1)" của nguồn phải là địa chỉ trang web'),
    ("source ftp", {"02-mat-khau.md": set_line(LESSON_2, 4, block_source(url="ftp://tai.example/a"))},
     "02-mat-khau.md", 7, "bắt đầu bằng https:// hoặc http://"),
    ("source no host", {"02-mat-khau.md": set_line(LESSON_2, 4, block_source(url="https:///a"))},
     "02-mat-khau.md", 7, "địa chỉ trang web"),
    ("source future", {"02-mat-khau.md": set_line(LESSON_2, 4, block_source(checked="2999-01-01"))},
     "02-mat-khau.md", 8, "2999-01-01 là ngày trong tương lai"),
    ("source date form", {"02-mat-khau.md": set_line(LESSON_2, 4, block_source(checked="30/11/2026"))},
     "02-mat-khau.md", 8, '"30/11/2026" phải là một ngày viết năm-tháng-ngày'),
    ("source no publisher", {"02-mat-khau.md": set_line(LESSON_2, 4, block_source(publisher=None))},
     "02-mat-khau.md", 5, 'nguồn thiếu "publisher"'),
    ("source typo", {"02-mat-khau.md": set_line(LESSON_2, 4, block_source() + "\n    link: https://a.example")},
     "02-mat-khau.md", 9, 'không hiểu dòng "link"'),
    ("source html", {"02-mat-khau.md": set_line(LESSON_2, 4, block_source(title='"<b>Cẩm nang</b>"'))},
     "02-mat-khau.md", 5, "có mã HTML"),
    # links that run code or embed a file show as raw text: refused, with their line
    ("javascript link", {"02-mat-khau.md": LESSON_2 + "\n[bấm vào đây](javascript:alert(1))\n"}, "02-mat-khau.md", 13,
     '"javascript:" không phải trang web'),
    ("javascript capitals", {"02-mat-khau.md": LESSON_2 + "\nDòng một\n[bấm](JaVaScRiPt:alert(1))\n"}, "02-mat-khau.md", 14,
     '"javascript:" không phải trang web'),
    ("javascript entity", {"02-mat-khau.md": LESSON_2 + "\n[bấm](javascript&#58;alert(1))\n"}, "02-mat-khau.md", 13,
     '"javascript:" không phải trang web'),
    ("data link", {"02-mat-khau.md": LESSON_2 + "\n[tải](data:text/html;base64,PHNjcmlwdD4=)\n"}, "02-mat-khau.md", 13,
     '"data:" không phải trang web'),
    ("vbscript autolink", {"02-mat-khau.md": LESSON_2 + "\n<vbscript:msgbox(1)>\n"}, "02-mat-khau.md", 13,
     '"vbscript:" không phải trang web'),
    ("javascript reference", {"02-mat-khau.md": LESSON_2 + "\n[bấm][x]\n\n[x]: javascript:alert(1)\n"}, "02-mat-khau.md", 13,
     '"javascript:" không phải trang web'),
    # HTML inside YAML text is shown to learners as raw code
    ("html course title", {"course.yaml": set_line(COURSE_YAML, 7, "  vi: An toàn <b>trên mạng</b>")},
     "course.yaml", 6, 'có mã HTML ("<b>")'),
    ("html lesson title", {"02-mat-khau.md": set_line(LESSON_2, 2, 'title: "Mật khẩu <em>mạnh</em>"')},
     "02-mat-khau.md", 2, 'có mã HTML ("<em>")'),
    ("html choice", {"01-cuoc-goi.quiz.yaml": set_line(QUIZ_1, 9, '        text: "Cúp máy<br>"')},
     "01-cuoc-goi.quiz.yaml", 9, 'có mã HTML ("<br>")'),
    ("html entity", {"01-cuoc-goi.quiz.yaml": set_line(QUIZ_1, 11, "    explanation: Ngân hàng&nbsp;không hỏi.")},
     "01-cuoc-goi.quiz.yaml", 11, 'có mã HTML ("&nbsp;")'),
    ("html comment", {"final.quiz.yaml": set_line(FINAL_QUIZ, 11, "    prompt: Bạn làm gì? <!-- ghi chú -->")},
     "final.quiz.yaml", 11, 'có mã HTML ("<!--")'),
    # three choices for text questions
    ("two choices", {"final.quiz.yaml": drop_line(FINAL_QUIZ, 15)}, "final.quiz.yaml", 12, "có 2 lựa chọn; cần từ 3 đến 6"),
]


@pytest.mark.parametrize(("files", "path", "line", "message"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_each_rule_names_the_file_and_line(content, files, path, line, message):
    problem = only_problem(content, files)

    assert (problem.path, problem.line) == (f"{COURSE}/{path}", line)
    assert message in problem.message


def test_every_problem_of_a_front_matter_is_reported_at_once(content):
    content.course(files={"02-mat-khau.md": "---\nminutes: tám\ncompetences: [\"9.9\"]\nsources: []\n---\n\nChữ.\n"})

    assert [(p.line, p.message) for p in check_tree(content.root)] == [
        (2, 'thiếu "title" (tên bài)'),
        (2, '"minutes" (số phút) phải là một số nguyên từ 1 trở lên'),
        (3, 'mã năng lực "9.9" không có trong khung năng lực số'),
        (4, '"sources" phải là danh sách có ít nhất một nguồn, mỗi nguồn bắt đầu bằng "- title:"; '
            'ví dụ "- title: …", "publisher: …", "url: https://…", "checked: 2026-12-01"'),
    ]


def test_seven_choices_are_too_many(content):
    choices = "".join(f"      - {{id: c{i}, text: Lựa chọn {i}}}\n" for i in range(7))
    quiz = f"questions:\n  - id: q\n    type: single\n    prompt: Hỏi?\n    choices:\n{choices}    answer: c1\n    explanation: Vì thế.\n"
    problem = only_problem(content, {"01-cuoc-goi.quiz.yaml": quiz})

    assert (problem.line, problem.message) == (5, "câu hỏi có 7 lựa chọn; cần từ 3 đến 6")


def test_links_to_existing_lessons_in_other_courses_pass(content):
    content.course("thanh-toan")
    content.course(files={"02-mat-khau.md": LESSON_2 + "\n[QR](../thanh-toan/02-mat-khau.md) [en](01-cuoc-goi.en.md)\n"})

    assert check_tree(content.root) == []


def test_course_folder_names_and_case_insensitive_duplicates(content):
    content.course("an-toan")
    content.course("AN-TOAN")
    content.course("Thanh toan")
    problems = [(p.path, p.message) for p in check_tree(content.root)]

    assert problems == [
        ("courses/AN-TOAN", 'mã khoá học "AN-TOAN" trùng với thư mục "an-toan"'),
        ("courses/Thanh toan", 'tên thư mục "Thanh toan" chỉ được dùng chữ thường không dấu, số và dấu gạch ngang'),
    ]


def test_problems_are_sorted_by_file_then_line(content):
    content.course(files={
        "course.yaml": set_line(set_line(COURSE_YAML, 5, 'competences: ["9.9"]'), 2, "level: 12"),
        "02-mat-khau.md": set_line(LESSON_2, 9, "# Cách đặt"),
        "01-cuoc-goi.quiz.yaml": set_line(QUIZ_1, 10, "    answer: z"),
    })
    problems = check_tree(content.root)

    assert [(p.path.rsplit("/", 1)[1], p.line) for p in problems] == [
        ("01-cuoc-goi.quiz.yaml", 10), ("02-mat-khau.md", 9), ("course.yaml", 2), ("course.yaml", 5)]


def test_an_invalid_course_yaml_still_gets_its_lessons_checked(content):
    content.course(files={"course.yaml": set_line(COURSE_YAML, 2, "level: 9"),
                          "02-mat-khau.md": set_line(LESSON_2, 9, "# Cách đặt")})
    tree, problems = check_content(content.root)

    assert tree.courses == ()
    assert [(p.path.rsplit("/", 1)[1], p.line) for p in problems] == [("02-mat-khau.md", 9), ("course.yaml", 2)]


def test_image_dimensions_reads_svg_and_raster(tmp_path):
    (tmp_path / "a.svg").write_text(SVG, encoding="utf-8")
    (tmp_path / "b.png").write_bytes(png_bytes(40, 30))
    (tmp_path / "c.png").write_bytes(b"junk")

    assert image_dimensions(tmp_path / "a.svg") == (320, 200)
    assert image_dimensions(tmp_path / "b.png") == (40, 30)
    assert image_dimensions(tmp_path / "c.png") == (None, None)


def test_command_line_reports_and_exits(content, capsys):
    content.course()
    assert main([str(content.root)]) == 0
    assert capsys.readouterr().out.strip() == "Không có lỗi nào: 1 khoá học, 2 bài học đều đúng quy định."

    content.course(files={"02-mat-khau.md": set_line(LESSON_2, 9, "# Cách đặt")})
    assert main([str(content.root)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith(f"{COURSE}/02-mat-khau.md:9: ")
    assert lines[-1] == "Có 1 lỗi cần sửa. Sửa xong hãy chạy lại lệnh này."


CONTENT_MODULES = sorted(path.stem for path in Path(__file__).resolve().parents[2].joinpath("lms", "content").glob("*.py"))
APP_MODULES = ("lms.courses", "lms.quizzes", "lms.extensions", "lms.accounts", "lms.cohorts", "lms.certificates")


def test_every_content_module_is_checked():
    assert {"check", "parse", "render", "model", "question_types"} <= set(CONTENT_MODULES)
    assert "sync" not in CONTENT_MODULES and "cli" not in CONTENT_MODULES  # loading lives in lms.courses


@pytest.mark.parametrize("name", CONTENT_MODULES)
def test_content_modules_do_not_import_the_web_or_database(name):
    import lms.content

    source = Path(lms.content.__file__).with_name(f"{name}.py").read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert not {module.split(".")[0] for module in imported} & {"flask", "sqlalchemy", "flask_sqlalchemy"}
    assert not [module for module in imported if module.startswith(APP_MODULES)]


def test_importing_the_content_package_loads_no_app_module():
    """Reading, checking and rendering content needs no database, app or quiz module (no import cycle)."""
    import subprocess
    import sys

    code = (
        "import sys, lms\n"
        "before = set(sys.modules)\n"
        "import lms.content.check, lms.content.parse, lms.content.render, lms.content.question_types, lms.content.__main__\n"
        "print(' '.join(sorted(m for m in set(sys.modules) - before if m.startswith('lms.'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout.split()
    assert out and all(module.startswith("lms.content") for module in out), out


# ---- quizzes that measure: per course, lesson checks and final quiz together -----------------
# The default course's single-answer questions: otp (01-cuoc-goi.quiz.yaml:2, key 3rd of 3),
# tin-nhan (final.quiz.yaml:4, key 2nd) and chuyen-tien (final.quiz.yaml:18, key 1st and longest):
# one longest key in three is allowed, and no position holds more than one key.


def test_the_key_is_the_longest_choice_in_at_most_a_third_of_a_courses_questions(content):
    problem = only_problem(content, {"01-cuoc-goi.quiz.yaml": set_line(QUIZ_1, 9, "        text: Cúp máy rồi gọi số in trên thẻ")})

    assert (problem.path, problem.line) == (f"{COURSE}/course.yaml", 1)
    assert problem.message.startswith("đáp án đúng là lựa chọn dài nhất ở 2/3 câu một đáp án của khoá")
    assert problem.message.endswith("01-cuoc-goi.quiz.yaml:2, final.quiz.yaml:18")


def test_a_key_as_long_as_another_choice_is_not_the_longest(content):
    content.course(files={"01-cuoc-goi.quiz.yaml": set_line(QUIZ_1, 9, "        text: Cúp máy đi nào")})  # 13 = "Đọc mã cho họ"
    assert check_tree(content.root) == []


def test_no_position_holds_more_than_half_of_a_courses_keys(content):
    final = set_line(set_line(FINAL_QUIZ, 13, "      - {id: b, text: Gọi số in trên thẻ}"), 14, "      - {id: a, text: Bấm vào link}")
    problem = only_problem(content, {"final.quiz.yaml": final})

    assert (problem.path, problem.line) == (f"{COURSE}/course.yaml", 1)
    assert problem.message.startswith("đáp án đúng là lựa chọn thứ 1 ở 2/3 câu một đáp án của khoá (không được quá một nửa)")
    assert problem.message.endswith("final.quiz.yaml:4, final.quiz.yaml:18")


def test_all_but_one_keys_in_at_most_half_of_the_multiple_answer_questions(content):
    problem = only_problem(content, {"02-mat-khau.quiz.yaml": set_line(QUIZ_2, 9, "    answer: [a, b]")})

    assert (problem.path, problem.line) == (f"{COURSE}/course.yaml", 1)
    assert problem.message.startswith('đáp án là "tất cả trừ một lựa chọn" ở 1/1 câu chọn nhiều đáp án của khoá')
    assert problem.message.endswith("02-mat-khau.quiz.yaml:2")


def test_a_course_is_measured_only_when_all_its_quizzes_load(content):
    """A broken quiz is reported alone: counts over the other quizzes would mislead."""
    final = set_line(set_line(FINAL_QUIZ, 13, "      - {id: b, text: Gọi số in trên thẻ}"), 14, "      - {id: a, text: Bấm vào link}")
    content.course(files={"final.quiz.yaml": final, "01-cuoc-goi.quiz.yaml": set_line(QUIZ_1, 10, "    answer: z")})

    assert [(p.path.rsplit("/", 1)[1], p.line) for p in check_tree(content.root)] == [("01-cuoc-goi.quiz.yaml", 10)]


def test_a_lesson_that_does_not_load_still_has_its_quiz_measured(content):
    content.course(files={"01-cuoc-goi.md": LESSON_1_EN.replace("title: Spotting scam calls\n", ""),
                          "01-cuoc-goi.quiz.yaml": set_line(QUIZ_1, 9, "        text: Cúp máy rồi gọi số in trên thẻ")})
    problems = check_tree(content.root)

    assert any(p.path.endswith("course.yaml") and p.message.startswith("đáp án đúng là lựa chọn dài nhất ở 2/3")
               for p in problems), [str(p) for p in problems]
