"""The signed-in principal (lms.accounts.principal): who the layout and the lesson page see, without
loading the whole account."""
import sqlalchemy as sa
from sqlalchemy import event

from lms.accounts.models import User
from lms.courses.models import LessonProgress
from lms.extensions import db

LESSON = "/courses/an-toan-tren-mang/cuoc-goi-gia-danh"


def test_a_deactivated_account_reads_lessons_as_a_visitor_and_saves_nothing(client, auth, make_user, catalogue):
    learner = make_user()
    auth.login(learner)
    assert "Bạn đã đọc hết bài?" in client.get(LESSON).get_data(as_text=True)
    learner.is_active_account = False
    db.session.commit()
    page = client.get("/courses/an-toan-tren-mang/ma-otp-va-link-la").get_data(as_text=True)
    assert "để lưu tiến độ học" in page and "Đăng xuất" not in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LessonProgress)) == 1
    assert client.get("/my-learning").status_code == 302  # Flask-Login agrees


def test_the_readers_language_and_preferences_come_from_the_account(client, auth, make_user, catalogue):
    learner = make_user()
    learner.locale, learner.text_size, learner.high_contrast = "en", 2, True
    db.session.commit()
    auth.login(learner)
    page = client.get(LESSON).get_data(as_text=True)
    assert '<html lang="en" class="text-2 contrast">' in page


def _statements_through_sqlalchemy(client, path):
    statements = []

    def note(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return statements


def test_a_kept_lesson_page_runs_two_small_queries_and_never_loads_the_account(client, auth, make_user,
                                                                                catalogue, monkeypatch):
    from lms.fastread import FastRead

    auth.login(make_user())
    client.get(LESSON)
    client.get(LESSON)  # kept now
    fast = []
    real_rows = FastRead.rows

    def noted(self, params):
        fast.append(str(self.statement))
        return real_rows(self, params)

    monkeypatch.setattr(FastRead, "rows", noted)
    through_orm = _statements_through_sqlalchemy(client, LESSON)
    assert through_orm == [] and len(fast) == 2, (through_orm, fast)
    assert "account_session" in fast[0]  # who is signed in: device, account and roles at once
    assert not any("secret_hash" in statement for statement in fast)  # no full account row


def test_with_nothing_pending_the_lesson_page_reads_straight_from_the_driver(client, auth, make_user, catalogue):
    learner = make_user()
    learner.locale = "en"
    db.session.commit()
    auth.login(learner)
    client.get(LESSON)
    db.session.close()  # as at the start of a real request: no transaction in this session
    assert _statements_through_sqlalchemy(client, LESSON) == []
    db.session.close()
    page = client.get(LESSON).get_data(as_text=True)
    assert '<html lang="en"' in page and "Sign out" in page


def test_two_learners_with_different_names_share_a_kept_page_that_names_neither(client, auth, make_user,
                                                                                 catalogue):
    first = make_user(name="Trần Thị Mai")
    second = make_user(name="Lê Văn Hùng")
    auth.login(first)
    client.get(LESSON)
    mine = client.get(LESSON).get_data(as_text=True)
    auth.logout()
    auth.login(second)
    client.get(LESSON)
    theirs = client.get(LESSON).get_data(as_text=True)
    for page in (mine, theirs):
        assert "Trần Thị Mai" not in page and "Lê Văn Hùng" not in page
        assert first.phone not in page and second.phone not in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
