"""The question-type registry: validation with lines, building, and grading every type from its stored row."""

from __future__ import annotations

import pytest

from lms.content.model import ChoiceSource, QuestionSource
from lms.content.question_base import StoredRow
from lms.content.question_types import QUESTION_TYPES, QuestionType, get_question_type
from lms.content.yaml_lines import load_yaml


def question(type_: str, answer: object, keys: tuple[str, ...] = ("a", "b", "c")) -> StoredRow:
    """A question of `type_` whose choices have the given ids, as its database row keeps it."""
    choices = () if type_ == "true_false" else tuple(ChoiceSource(k, {"vi": k.upper()}) for k in keys)
    source = QuestionSource("q", type_, {"vi": "Hỏi?"}, choices, answer, {"vi": "Vì thế."}, None, 1)
    return get_question_type(type_).stored(source)


def mapping(text: str):
    """A question mapping with line numbers, as the content parser reads it."""
    return load_yaml(text)[0]


def test_registry_has_the_five_types():
    assert set(QUESTION_TYPES) == {"single", "multiple", "true_false", "picture", "scenario"}
    for name, qtype in QUESTION_TYPES.items():
        assert isinstance(qtype, QuestionType) and qtype.name == name
        assert get_question_type(name) is qtype
        assert qtype.label["vi"] and qtype.label["en"]


def test_unknown_type_lookup_raises():
    with pytest.raises(KeyError):
        get_question_type("essay")


@pytest.mark.parametrize("name", ["single", "picture", "scenario"])
@pytest.mark.parametrize(("response", "correct"), [
    (["b"], True),
    ("b", True),
    (["a"], False),
    (["b", "a"], False),
    (["z"], False),
    (["b", "z"], False),
    ([], False),
    (None, False),
    ([2], False),
    ({"b": 1}, False),
])
def test_grade_one_answer_types(name, response, correct):
    assert get_question_type(name).grade(question(name, "b"), response) is correct


def test_grade_never_accepts_an_answer_that_is_not_a_choice():
    broken = question("single", "z")  # cannot pass validation, but grading must still refuse it

    assert get_question_type("single").grade(broken, ["z"]) is False
    assert get_question_type("multiple").grade(question("multiple", ("a", "z")), ["a", "z"]) is False


@pytest.mark.parametrize(("response", "correct"), [
    (["a", "c"], True),
    (["c", "a"], True),
    (["a", "c", "a"], True),
    (["a"], False),
    (["a", "b", "c"], False),
    (["a", "c", "z"], False),
    (["z"], False),
    ([], False),
    ("a", False),
    (None, False),
])
def test_grade_multiple_needs_the_exact_set(response, correct):
    assert get_question_type("multiple").grade(question("multiple", ("a", "c")), response) is correct


@pytest.mark.parametrize(("answer", "response", "correct"), [
    (True, "true", True),
    (True, ["true"], True),
    (False, "false", True),
    (False, ["false"], True),
    (True, "false", False),
    (False, "true", False),
    (True, "yes", False),
    (True, "True", False),
    (True, ["true", "false"], False),
    (True, [], False),
    (True, None, False),
    (True, True, True),
    (False, True, False),
])
def test_grade_true_false(answer, response, correct):
    assert get_question_type("true_false").grade(question("true_false", answer), response) is correct


def test_validate_reports_lines_inside_the_question():
    item = mapping("""\
id: q
type: single
prompt: Hỏi?
choices:
  - id: a
    text: Một
  - id: a
    text: Hai
  - {id: b, text: Ba}
answer: c
""")
    assert get_question_type("single").validate(item) == [
        (1, 'thiếu "explanation" (lời giải thích)'),
        (7, 'mã lựa chọn "a" bị trùng'),
        (10, 'đáp án "c" không nằm trong các lựa chọn'),
    ]


def test_validate_picture_needs_image_and_alt():
    item = mapping("""\
id: q
prompt: Hình nào?
choices:
  - id: a
    image: images/a.svg
  - id: b
    alt: Mô tả
answer: a
explanation: Vì thế.
""")
    assert get_question_type("picture").validate(item) == [
        (4, 'lựa chọn hình thiếu "alt" (lời mô tả ảnh cho người khiếm thị)'),
        (6, 'lựa chọn hình thiếu "image" (đường dẫn ảnh, ví dụ images/ma-qr.svg)'),
    ]


@pytest.mark.parametrize(("screen", "expected"), [
    ("screen: {kind: call, caller: Công an, number: 0900 000 000, video: true}", []),
    ("screen: {kind: call, caller: Công an}", [(1, 'màn hình "call" thiếu dòng "number"')]),
    ("screen: {kind: call, caller: Công an, number: '0900', video: có}", [(1, '"video" phải là true hoặc false')]),
    ("screen: {kind: qr_payment, merchant: Tạp hoá, recipient_name: A, amount: 50000}", []),
    ("screen: {kind: qr_payment, merchant: Tạp hoá, recipient_name: A, amount: năm chục}",
     [(1, '"amount" phải là số tiền bằng đồng, ví dụ 500000')]),
    ("screen: {kind: sms, sender: X, body: Y, colour: red}", [(1, 'màn hình "sms" không có dòng "colour"')]),
    ("screen: {kind: fax}", [(1, 'loại màn hình "kind: fax" không có; chỉ dùng: sms, call, transfer, qr_payment')]),
    ("screen: nothing", [(1, 'câu thực hành cần "screen" (mô tả màn hình điện thoại giả)')]),
])
def test_validate_scenario_screens(screen, expected):
    item = mapping(f"{screen}\nid: q\nprompt: Làm gì?\nchoices: [{{id: a, text: A}}, {{id: b, text: B}}, {{id: c, text: C}}]\n"
                   "answer: a\nexplanation: Vì thế.\n")
    assert get_question_type("scenario").validate(item) == expected


def test_build_gives_typed_answers_and_screens():
    multiple = get_question_type("multiple").build(mapping(
        "id: 7\nprompt: {vi: Hỏi?, en: Question?}\nchoices: [{id: a, text: A}, {id: b, text: B}]\n"
        "answer: [b, a, b]\nexplanation: Vì.\n"))
    scenario = get_question_type("scenario").build(mapping(
        "id: s\nprompt: Làm gì?\nchoices: [{id: a, text: A}, {id: b, text: B}]\nanswer: a\nexplanation: Vì.\n"
        "screen: {kind: transfer, bank: Ngân hàng, recipient_name: B, account: 0123, amount: '1.500.000', "
        "message: {vi: Tiền hàng, en: For goods}}\n"))

    assert multiple.key == "7" and multiple.answer == ("a", "b")
    assert multiple.prompt == {"vi": "Hỏi?", "en": "Question?"}
    assert scenario.screen == {"kind": "transfer", "bank": {"vi": "Ngân hàng"}, "recipient_name": {"vi": "B"},
                               "account": "0123", "amount": 1_500_000,
                               "message": {"vi": "Tiền hàng", "en": "For goods"}}


def test_a_multiple_question_need_not_say_choose_all_the_page_says_it():
    item = mapping("""\
id: q
type: multiple
prompt:
  vi: Việc nào an toàn? Chọn tất cả các ý đúng.
  en: Which are safe?
choices:
  - id: a
    text: Một
  - id: b
    text: Hai
  - {id: c, text: Ba}
answer: [a, b]
explanation: Cả hai.
""")
    assert get_question_type("multiple").validate(item) == [
        (3, 'không cần ghi "Chọn tất cả…" trong câu hỏi: trang đã tự nhắc người học chọn tất cả đáp án đúng'),
    ]
    item["prompt"] = {"vi": "Việc nào an toàn?", "en": "Which are safe? (Choose all that apply)"}
    assert len(get_question_type("multiple").validate(item)) == 1
    item["prompt"] = {"vi": "Việc nào an toàn?", "en": "Which are safe?"}
    assert get_question_type("multiple").validate(item) == []



@pytest.mark.parametrize(("name", "answer", "stored"), [
    ("single", "b", ["b"]), ("scenario", "b", ["b"]), ("picture", "b", ["b"]),
    ("multiple", ("a", "c"), ["a", "c"]), ("true_false", True, ["true"]), ("true_false", False, ["false"]),
])
def test_each_type_stores_its_key_as_a_list_of_strings(name, answer, stored):
    row = question(name, answer)
    assert row.type == name and row.answer == stored
    assert [c["key"] for c in row.choices] == ([] if name == "true_false" else ["a", "b", "c"])


@pytest.mark.parametrize(("name", "values", "parsed"), [
    ("single", ["b"], ["b"]), ("single", ["b", "c"], None), ("single", ["z"], None), ("single", [], None),
    ("multiple", ["c", "a"], ["c", "a"]), ("multiple", ["a", "a"], None), ("multiple", ["a", "z"], None),
    ("true_false", ["true"], ["true"]), ("true_false", ["yes"], None), ("true_false", ["true", "false"], None),
])
def test_parse_keeps_only_answers_the_question_offers(name, values, parsed):
    assert get_question_type(name).parse(question(name, "b" if name != "multiple" else ("a",)), values) == parsed


def test_every_type_names_its_phone_and_projector_templates():
    for qtype in QUESTION_TYPES.values():
        assert qtype.template.startswith("quizzes/types/") and qtype.template.endswith(".html")
        assert qtype.projector_template.startswith("quizzes/projector/")


@pytest.mark.parametrize("name", ["single", "multiple", "scenario"])
def test_text_choice_questions_need_three_choices(name):
    extra = "screen: {kind: call, caller: Công an, number: '0900'}\n" if name == "scenario" else ""
    answer = "[a]" if name == "multiple" else "a"
    item = mapping(f"{extra}id: q\nprompt: Làm gì?\nchoices: [{{id: a, text: A}}, {{id: b, text: B}}]\n"
                   f"answer: {answer}\nexplanation: Vì thế.\n")
    line = 4 if name == "scenario" else 3
    assert get_question_type(name).validate(item) == [(line, "câu hỏi có 2 lựa chọn; cần từ 3 đến 6")]


def test_picture_questions_may_compare_two_pictures():
    item = mapping("id: q\nprompt: Hình nào?\nchoices:\n  - {id: a, image: images/a.svg, alt: Mã QR}\n"
                   "  - {id: b, image: images/b.svg, alt: Mã vạch}\nanswer: a\nexplanation: Vì thế.\n")
    assert get_question_type("picture").validate(item) == []


@pytest.mark.parametrize(("field", "value"), [
    ("prompt", "Bấm <b>Đồng ý</b> không?"),
    ("explanation", "{vi: Vì thế.&nbsp;Nhớ nhé, en: So.}"),
    ("explanation", "{vi: Vì thế., en: <i>So</i>}"),
])
def test_html_in_question_text_is_reported_on_its_line(field, value):
    fields = {"prompt": "Làm gì?", "explanation": "Vì thế."}
    fields[field] = value
    item = mapping(f"id: q\nprompt: {fields['prompt']}\nchoices: [{{id: a, text: A}}, {{id: b, text: B}}, {{id: c, text: C}}]\n"
                   f"answer: a\nexplanation: {fields['explanation']}\n")
    [(line, message)] = get_question_type("single").validate(item)
    assert line == (2 if field == "prompt" else 5)
    assert message.startswith(f'"{field}"') and "có mã HTML" in message


def test_html_in_a_choice_is_reported_on_its_line():
    item = mapping("id: q\nprompt: Làm gì?\nchoices:\n  - {id: a, text: A}\n  - id: b\n    text: '<script>x</script>'\n"
                   "  - {id: c, text: C}\nanswer: a\nexplanation: Vì thế.\n")
    [(line, message)] = get_question_type("single").validate(item)
    assert line == 6 and "có mã HTML" in message
