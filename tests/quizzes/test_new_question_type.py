"""A new question type is one class and one template: registered here, it is checked, loaded, drawn
and graded with no other change to the app."""
import re
from collections.abc import Mapping
from typing import Any

import pytest
import sqlalchemy as sa
from jinja2 import ChoiceLoader, DictLoader

from lms.content.check import check_tree
from lms.content.question_base import line_of
from lms.content.question_types import QUESTION_TYPES, QuestionType, register
from lms.extensions import db
from lms.quizzes.models import Question, Quiz, QuizAttempt
from tests.content.conftest import QUIZ_2
from tests.courses.small_course import load_course


class WholeNumber(QuestionType):
    """Type the number: "How many digits has an OTP code?" → 6."""

    name = "whole_number"
    label = {"vi": "Gõ một số", "en": "Type a number"}
    has_choices = False
    min_choices = 0
    template = "quizzes/types/whole_number.html"
    projector_template = "quizzes/projector/whole_number.html"

    def _validate_choices(self, question: Mapping[str, Any]) -> list[tuple[int, str]]:
        return [(line_of(question, "choices"), 'câu gõ số không cần "choices"')] if "choices" in question else []

    def _validate_answer(self, question: Mapping[str, Any]) -> list[tuple[int, str]]:
        answer = question.get("answer")
        if isinstance(answer, bool) or not isinstance(answer, int):
            return [(line_of(question, "answer"), '"answer" phải là một số nguyên')]
        return []

    def _build_answer(self, answer: object) -> str:
        return str(answer)

    def parse(self, question, values):
        values = [values] if isinstance(values, str) else values
        if not isinstance(values, list) or len(values) != 1 or not str(values[0]).strip().isdigit():
            return None
        return [str(int(values[0]))]

    def grade(self, question, response):
        return self.parse(question, response) == list(question.answer)


TEMPLATE = """<legend id="prompt-{{ question.id }}">{{ question.prompt|pick }}</legend>
<label class="choice"><span>{{ _("Số") }}</span> <input type="text" inputmode="numeric" name="choice"
  value="{{ chosen[0] if chosen else '' }}"{% if locked %} disabled{% endif %}></label>"""

QUIZ = QUIZ_2 + """\
  - id: so-chu-so-otp
    type: whole_number
    prompt: Mã OTP của ngân hàng thường có mấy chữ số?
    answer: 6
    explanation: Mã OTP thường có 6 chữ số, và không ai được hỏi bạn mã này.
"""


@pytest.fixture()
def whole_number(app, monkeypatch):
    register(WholeNumber)
    monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([DictLoader({WholeNumber.template: TEMPLATE}),
                                                               app.jinja_env.loader]))
    yield
    QUESTION_TYPES.pop(WholeNumber.name)


def _start(client, quiz):
    response = client.post(f"/quizzes/{quiz.id}/start")
    assert response.status_code == 302
    return db.session.get(QuizAttempt, int(re.search(r"/attempts/(\d+)/", response.headers["Location"]).group(1)))


def test_the_content_check_knows_the_new_type(whole_number, tmp_path):
    from tests.content.conftest import ContentBuilder

    builder = ContentBuilder(tmp_path / "content")
    builder.course(files={"02-mat-khau.quiz.yaml": QUIZ})
    assert check_tree(builder.root) == []
    builder.course(files={"02-mat-khau.quiz.yaml": QUIZ.replace("answer: 6", "answer: sáu")})
    [problem] = check_tree(builder.root)
    assert (problem.path.rsplit("/", 1)[1], problem.line, problem.message) == (
        "02-mat-khau.quiz.yaml", 26, '"answer" phải là một số nguyên')


def test_a_new_type_is_loaded_drawn_and_graded(whole_number, app, client, auth, make_user, tmp_path):
    load_course(app, tmp_path / "content", {"02-mat-khau.quiz.yaml": QUIZ})
    question = db.session.scalar(sa.select(Question).where(Question.key == "so-chu-so-otp"))
    assert (question.type, question.answer, question.choices) == ("whole_number", ["6"], [])

    auth.login(make_user())
    attempt = _start(client, db.session.scalar(sa.select(Quiz).where(Quiz.key == "mat-khau")))
    number = attempt.question_order.index(question.id) + 1
    page = client.get(f"/quizzes/attempts/{attempt.id}/{number}").get_data(as_text=True)
    assert 'inputmode="numeric" name="choice"' in page and "Mã OTP của ngân hàng thường có mấy chữ số?" in page
    assert attempt.choice_order.get(str(question.id)) is None  # nothing to shuffle

    refused = client.post(f"/quizzes/attempts/{attempt.id}/{number}", data={"question_id": question.id, "choice": "sáu"})
    assert refused.status_code == 422 and "Hãy chọn một trong các câu trả lời có sẵn." in refused.get_data(as_text=True)
    right = client.post(f"/quizzes/attempts/{attempt.id}/{number}", data={"question_id": question.id, "choice": "06"})
    assert right.status_code == 200 and "Đúng rồi!" in right.get_data(as_text=True)
    assert "Mã OTP thường có 6 chữ số" in right.get_data(as_text=True)

    auth.logout()
    auth.login(make_user())
    other = _start(client, db.session.scalar(sa.select(Quiz).where(Quiz.key == "mat-khau")))
    wrong = client.post(f"/quizzes/attempts/{other.id}/{other.question_order.index(question.id) + 1}",
                        data={"question_id": question.id, "choice": "4"})
    assert "Chưa đúng." in wrong.get_data(as_text=True)
