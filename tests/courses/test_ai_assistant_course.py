"""The hands-on course "Dùng trợ lý AI": found by the catalogue filters, and its last lesson leads a
learner to the page where they record which AI tool they used, whose buttons it names word for word."""
import re

import sqlalchemy as sa

from lms.extensions import db
from lms.reports.models import AiToolUse
from tests.conftest import CONTENT_DIR

COURSE = "dung-tro-ly-ai"
LAST_LESSON = "dung-that-va-ghi-lai"
LESSON_FILE = CONTENT_DIR / "courses" / COURSE / f"05-{LAST_LESSON}.md"


def test_the_catalogue_finds_the_course_by_the_ai_competence_and_by_audience(client, catalogue):
    for query in ("competence=6.2", "competence=6.3", "audience=elderly", "audience=traders", "audience=workers"):
        assert "Dùng trợ lý AI" in client.get(f"/courses/?{query}").get_data(as_text=True), query
    assert "Dùng trợ lý AI" not in client.get("/courses/?audience=officials").get_data(as_text=True)


def test_the_last_lesson_links_to_the_ai_use_page_and_a_learner_records_a_tool_there(
        client, catalogue, auth, make_user):
    learner = make_user()
    auth.login(learner)
    lesson = client.get(f"/courses/{COURSE}/{LAST_LESSON}").get_data(as_text=True)
    assert '<a href="/ai-use">Tôi đã dùng công cụ AI</a>' in lesson

    form = client.get("/ai-use")
    assert form.status_code == 200 and "<h1>Tôi đã dùng công cụ AI</h1>" in form.get_data(as_text=True)
    response = client.post("/ai-use", data={"kind": "writing", "purpose": "viết thông báo họp tổ"})
    assert response.status_code == 302
    assert "Đã ghi nhận: bạn đã dùng viết, tạo nội dung" in client.get("/my-learning").get_data(as_text=True)
    row = db.session.execute(sa.select(AiToolUse.kind, AiToolUse.purpose)
                             .where(AiToolUse.user_id == learner.id)).one()
    assert tuple(row) == ("writing", "viết thông báo họp tổ")


def test_every_button_and_field_the_lesson_quotes_is_on_the_page_in_both_languages(client, catalogue, auth,
                                                                                  make_user):
    auth.login(make_user())
    steps = LESSON_FILE.read_text(encoding="utf-8").split("## Ghi lại trên Lớp Số", 1)[1].split(">", 1)[0]
    quoted = set(re.findall(r'"([^"]+)"', steps)) - {"viết thông báo họp tổ", "Dùng để làm gì"}
    assert len(quoted) == 6  # five buttons and the purpose field
    page = client.get("/ai-use").get_data(as_text=True)
    for label in quoted:
        assert label in page, label

    client.post("/language", data={"locale": "en"})
    english = LESSON_FILE.with_suffix(".en.md").read_text(encoding="utf-8")
    steps = english.split("## Recording it on Lớp Số", 1)[1].split(">", 1)[0]
    quoted = set(re.findall(r'"([^"]+)"', steps)) - {"writing a meeting notice", "What for"}
    assert len(quoted) == 6
    page = client.get("/ai-use").get_data(as_text=True)
    for label in quoted:
        assert label in page, label


def test_a_signed_out_reader_who_follows_the_link_is_asked_to_sign_in(client, catalogue):
    response = client.get("/ai-use")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AiToolUse)) == 0
