"""What an elderly learner trips on with a 360×640 phone, tried in Chromium: pages wider than the
phone, a read-aloud button that does nothing, reading a lesson aloud paragraph by paragraph, text
size and contrast where a reader finds them, the course page's main button, drawn phone screens
that look tappable, and words a learner does not understand."""
from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.courses.models import Course
from lms.extensions import db
from lms.quizzes.models import Question, Quiz
from tests.e2e.harness import PHONE, assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.e2e

COURSE = "an-toan-tren-mang"
LESSON = f"/courses/{COURSE}/cuoc-goi-gia-danh"
PIN = "482916"
LARGEST = 4  # 32 px


def _sign_in(page, live, phone):
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill(phone)
    page.get_by_label("Mã PIN hoặc mật khẩu").fill(PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live("/"))


def _width(page) -> float:
    # A phone browser widens its layout to fit wide content, so compare with the screen's 360 px.
    return page.evaluate("() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth,"
                         " ...[...document.querySelectorAll('body *')].filter(e => e.offsetParent !== null)"
                         " .map(e => e.getBoundingClientRect().right))")


def _font_px(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")


def _wait(page, condition: str, seconds: float = 5) -> None:
    """Poll a condition (the pages' CSP forbids the eval that wait_for_function uses)."""
    for _ in range(int(seconds * 20)):
        if page.evaluate(condition):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"never true: {condition}")


def _set_size(user_id, size):
    db.session.get(User, user_id).text_size = size
    db.session.commit()


def _phone_context(browser, **options):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True,
                                  device_scale_factor=2, **options)
    context.set_default_timeout(10_000)
    return context


def test_no_learner_page_scrolls_sideways_at_360px_at_any_text_size(live, phone_page, browser, catalogue, make_user):
    learner = make_user(name="Nguyễn Thị Lan", phone="0912 345 610")
    quiz = db.session.scalar(sa.select(Quiz).join(Course).where(Course.slug == COURSE, Quiz.kind == "final"))
    check = db.session.scalar(sa.select(Quiz).join(Course).where(Course.slug == COURSE, Quiz.kind == "check"))
    page = phone_page
    _sign_in(page, live, "0912345610")
    page.goto(live(f"/quizzes/{check.id}/"))
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    question_page = page.url
    pages = ["/", "/courses/", "/courses/?competence=1.1", f"/courses/{COURSE}/", LESSON, f"/quizzes/{quiz.id}/",
             question_page.removeprefix(live.url), "/my-learning", "/courses/search?q=lua+dao", "/certificates/",
             "/my/cohorts", "/account/devices"]
    for size in range(LARGEST + 1):
        _set_size(learner.id, size)
        for path in pages:
            page.goto(live(path))
            assert page.evaluate("document.documentElement.className").startswith(f"text-{size}" if size else "")
            page.locator("summary").first.click()  # the menu open as well
            assert _width(page) <= PHONE["width"], f"{path} at text size {size} is {_width(page)} px wide"
    assert _font_px(page) == 32

    # Before signing in: the sign-in page at every size, set from its own menu.
    context = _phone_context(browser)
    stranger = context.new_page()
    stranger.goto(live("/login"))
    for size in range(LARGEST + 1):
        assert _width(stranger) <= PHONE["width"], f"/login at text size {size} is {_width(stranger)} px wide"
        if not stranger.evaluate("document.querySelector('details.menu-narrow').open"):
            stranger.locator("summary").first.click()
        bigger = stranger.locator("#reading-menu").get_by_role("button", name="Chữ to hơn")
        if bigger.is_disabled():
            break
        bigger.click()
        _wait(stranger, f"document.documentElement.className.indexOf('text-{size + 1}') >= 0")
    assert _font_px(stranger) == 32
    context.close()


def test_read_aloud_shows_only_when_it_works_and_otherwise_says_why(live, browser, catalogue):
    # No JavaScript: no dead button, a short reason instead.
    context = _phone_context(browser, java_script_enabled=False)
    page = context.new_page()
    page.goto(live(LESSON))
    assert page.get_by_role("button", name="Đọc to bài này").count() == 0
    assert "hãy bật JavaScript" in page.locator(".read-aloud").inner_text()
    context.close()

    # A browser without speech synthesis, as some in-app browsers are.
    context = _phone_context(browser)
    context.add_init_script("Object.defineProperty(window, 'speechSynthesis', {value: undefined, configurable: true});")
    page = context.new_page()
    page.goto(live(LESSON))
    page.locator(".read-aloud-why").wait_for()
    assert "không đọc to được" in page.locator(".read-aloud-why").inner_text()
    assert not page.get_by_role("button", name="Đọc to bài này").is_visible()
    context.close()

    # Headless Chromium has speech but no voices: a phone without a Vietnamese voice says so at once.
    context = _phone_context(browser)
    page = context.new_page()
    page.goto(live(LESSON))
    page.locator(".read-aloud-why").wait_for()
    assert "chưa có giọng đọc tiếng Việt" in page.locator(".read-aloud-why").inner_text()
    assert not page.get_by_role("button", name="Đọc to bài này").is_visible()
    assert_accessible(page)
    context.close()


STAND_IN_VOICE = """
window.__spoken = [];
const lastOne = () => window.__spoken[window.__spoken.length - 1];
const end = (u) => { if (u && !u.ended) { u.ended = true; if (u.onend) u.onend(); } };
Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
  speaking: false, paused: false,
  getVoices: () => [{lang: 'vi-VN', name: 'Giọng thử', default: true}],
  speak: (u) => window.__spoken.push(u),
  cancel: () => end(lastOne()),  // as Chromium does, a cancelled utterance still ends
  pause: () => {}, resume: () => {}, addEventListener: () => {},
}});
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
window.__finish = () => end(lastOne());
"""


def test_read_aloud_goes_paragraph_by_paragraph_with_pause_and_previous_next(live, browser, catalogue):
    context = _phone_context(browser)
    context.add_init_script(STAND_IN_VOICE)
    page = context.new_page()
    page.goto(live(LESSON))
    spoken = lambda: page.evaluate("window.__spoken.map(u => u.text)")  # noqa: E731
    marked = lambda: page.locator(".reading-now").inner_text().strip()  # noqa: E731
    status = page.locator(".read-aloud-status")

    page.get_by_role("button", name="Đọc to bài này").click()
    title = page.locator("article.lesson h1").inner_text().strip()
    assert spoken() == [title] and marked() == title
    total = int(status.inner_text().split("/")[1])
    assert status.inner_text() == f"Đang đọc đoạn 1/{total}" and total > 5
    page.evaluate("window.__finish()")  # the voice reaches the end of the paragraph: the next one follows
    second = spoken()[-1]
    assert len(spoken()) == 2 and marked() == second and status.inner_text() == f"Đang đọc đoạn 2/{total}"

    page.get_by_role("button", name="Tạm dừng").click()
    page.evaluate("window.__finish()")
    assert len(spoken()) == 2  # paused: nothing more is said
    page.get_by_role("button", name="Đọc tiếp").click()
    assert spoken()[-1] == second and marked() == second

    page.get_by_role("button", name="Đoạn sau").click()
    third = spoken()[-1]
    assert third != second and marked() == third and status.inner_text() == f"Đang đọc đoạn 3/{total}"
    page.get_by_role("button", name="Đoạn trước").click()
    assert spoken()[-1] == second and marked() == second
    assert len(spoken()) == 5  # a cancelled paragraph's late end never skipped one ahead
    assert max(len(text) for text in spoken()) < 800  # paragraphs, never the whole lesson at once
    assert_accessible(page)

    page.get_by_role("button", name="Dừng đọc").click()
    assert page.locator(".reading-now").count() == 0
    assert page.get_by_role("button", name="Đọc to bài này").is_visible()
    assert_no_console_errors(page)
    context.close()


def test_text_size_and_contrast_at_the_top_of_a_lesson_keep_the_place_and_reach_32px(live, phone_page, catalogue):
    page = phone_page
    page.goto(live(LESSON))
    controls = page.locator("#reading-lesson")
    controls.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 200); window.__same_page = true")
    before = _font_px(page)
    controls.get_by_role("button", name="Chữ to hơn").click()
    _wait(page, f"parseFloat(getComputedStyle(document.documentElement).fontSize) > {before}")
    assert page.evaluate("window.__same_page === true && window.scrollY > 0")  # not reloaded at the top
    while controls.get_by_role("button", name="Chữ to hơn").is_enabled():
        size = _font_px(page)
        controls.get_by_role("button", name="Chữ to hơn").click()
        _wait(page, f"parseFloat(getComputedStyle(document.documentElement).fontSize) > {size}")
    assert _font_px(page) == 32
    controls.get_by_role("button", name="Tương phản cao").click()
    _wait(page, "document.documentElement.classList.contains('contrast')")
    assert controls.get_by_role("button", name="Tương phản cao").get_attribute("aria-pressed") == "true"
    assert page.evaluate("window.__same_page === true")
    assert _width(page) <= PHONE["width"]
    assert_accessible(page)
    # The menu has them too, and says the same.
    page.get_by_text("Trình đơn").click()
    menu = page.locator("#reading-menu")
    assert menu.get_by_role("button", name="Chữ to hơn").is_disabled()
    assert menu.get_by_role("button", name="Tương phản cao").get_attribute("aria-pressed") == "true"
    assert_no_console_errors(page)


def test_text_size_from_the_menu_without_javascript_comes_back_to_the_quiz(live, browser, catalogue, make_user):
    make_user(phone="0912 345 611")
    context = _phone_context(browser, java_script_enabled=False)
    page = context.new_page()
    _sign_in(page, live, "0912345611")
    quiz = db.session.scalar(sa.select(Quiz).join(Course).where(Course.slug == COURSE, Quiz.kind == "check"))
    page.goto(live(f"/quizzes/{quiz.id}/"))
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.locator('input[name="choice"]').first.check()
    page.get_by_role("button", name="Gửi câu trả lời").click()  # the page shown is the answer to a POST
    question_url = page.url
    page.get_by_text("Trình đơn").click()
    page.locator("#reading-menu").get_by_role("button", name="Chữ to hơn").click()
    assert page.url == question_url + "#reading-menu"
    assert page.evaluate("document.documentElement.className") == "text-1"
    context.close()


def test_the_course_page_leads_to_the_next_lesson_and_my_classes_show_progress_and_next_session(
        live, phone_page, catalogue, make_user, make_ward):
    from lms.cohorts.schedule import add_session, vietnam_today
    from lms.cohorts.services import create_cohort, enrol
    from lms.courses.services import complete_lesson

    ward = make_ward("Phường Đông")
    learner = make_user(phone="0912 345 612", ward=ward, name="Nguyễn Thị Lan")
    course = db.session.scalar(sa.select(Course).where(Course.slug == COURSE))
    cohort = create_cohort(ward_id=ward.id, name="Lớp người cao tuổi", audience="elderly", course_ids=[course.id])
    db.session.flush()
    enrol(cohort, learner, consent=True)
    add_session(cohort, day=vietnam_today() + timedelta(days=3), starts_at=time(8, 30), place="Nhà văn hoá tổ 5")
    db.session.commit()
    page = phone_page
    page.goto(live(f"/courses/{COURSE}/"))
    main_button = page.locator("main .button.primary").first
    assert main_button.inner_text() == "Bắt đầu bài 1"
    _sign_in(page, live, "0912345612")
    page.goto(live(f"/courses/{COURSE}/"))
    assert page.locator("main .button.primary").first.inner_text() == "Bắt đầu bài 1"
    lessons = course.active_lessons
    complete_lesson(db.session.get(User, learner.id), lessons[0])
    db.session.commit()
    page.reload()
    assert page.locator("main .button.primary").first.inner_text() == "Học tiếp bài 2"
    page.locator("main .button.primary").first.click()
    assert page.url.endswith(f"/courses/{COURSE}/{lessons[1].slug}")
    page.go_back()
    # The final quiz comes after the lessons, and is not the main button until they are read.
    final = page.get_by_role("link", name="Làm bài kiểm tra cuối khoá")
    assert "primary" not in final.get_attribute("class")
    assert page.evaluate("""() => document.querySelector('.lessons').compareDocumentPosition(
        [...document.querySelectorAll('a')].find(a => a.textContent.includes('kiểm tra cuối khoá'))) & 4""")
    assert_accessible(page)

    page.goto(live("/my/cohorts"))
    card = page.locator(".card", has_text="Lớp người cao tuổi")
    day = (vietnam_today() + timedelta(days=3)).strftime("%d/%m/%Y")
    assert f"Buổi học tới: {day} lúc 08:30 — Nhà văn hoá tổ 5" in card.inner_text()
    assert f"Đã học 1/{len(lessons)} bài" in card.inner_text()
    assert_accessible(page)
    assert _width(page) <= PHONE["width"]


def test_a_drawn_phone_screen_reads_as_a_picture_and_the_real_button_has_its_own_name(
        live, phone_page, catalogue, make_user):
    make_user(phone="0912 345 613")
    page = phone_page
    _sign_in(page, live, "0912345613")
    quiz = db.session.scalar(sa.select(Quiz).join(Course).where(Course.slug == COURSE, Quiz.key == "cuoc-goi-gia-danh"))
    calls = {q.id for q in db.session.scalars(sa.select(Question).where(Question.quiz_id == quiz.id))
             if q.screen and q.screen.get("kind") == "call"}
    assert calls
    page.goto(live(f"/quizzes/{quiz.id}/"))
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    while int(page.locator('input[name="question_id"]').input_value()) not in calls:
        page.locator('input[name="choice"]').first.check()
        page.get_by_role("button", name="Gửi câu trả lời").click()
        page.get_by_role("link", name="Câu tiếp theo").click()
    phone = page.locator("figure.phone")
    assert "Hình minh hoạ — không bấm được" in phone.inner_text()
    assert phone.get_by_role("button").count() == 0
    assert page.get_by_role("button", name="Trả lời", exact=True).count() == 0
    assert page.get_by_role("button", name="Gửi câu trả lời").count() == 1
    assert page.evaluate("getComputedStyle(document.querySelector('figure.phone')).pointerEvents") == "none"
    # The drawn call buttons are round marks with a word under them, not pills like the real buttons.
    assert page.evaluate("getComputedStyle(document.querySelector('.call-buttons span')).borderRadius") == "0px"
    assert_accessible(page)


def test_plain_words_for_a_used_card_a_wrong_pin_and_the_certificate(live, phone_page, catalogue, make_user, make_ward):
    from lms.certificates.services import issue_certificate
    from lms.accounts.cards import issue_cards
    from lms.cohorts.services import create_cohort, enrol
    from tests.certificates.conftest import finish

    ward = make_ward("Phường Đông")
    coordinator = make_user(("coordinator",), ward=ward, name="Trần Thị Thu Hà")
    learner = make_user(ward=ward, name="Nguyễn Thị Lan", phone="0900 000 101")
    cohort = create_cohort(ward_id=ward.id, name="Lớp người cao tuổi", audience="elderly")
    db.session.flush()
    enrol(cohort, learner, by=coordinator, consent=True)
    [(_, raw, _)] = issue_cards(cohort, [learner], coordinator)
    db.session.commit()
    page = phone_page

    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill("0900000101")
    page.get_by_label("Mã PIN hoặc mật khẩu").fill("000000")
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    assert page.get_by_label("Số điện thoại").input_value() == "0900 000 101"

    page.goto(live(f"/s/{raw}"))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    page.context.clear_cookies()  # signed in by the card; now someone else opens it again
    response = page.goto(live(f"/s/{raw}"))
    assert response.status == 410
    text = page.locator("main").inner_text()
    assert "đã được dùng" in text and "410" not in text and "Mã lỗi" not in text

    course = db.session.scalar(sa.select(Course).where(Course.slug == COURSE))
    finish(learner, course)
    certificate = issue_certificate(db.session.get(User, learner.id), course).certificate
    db.session.commit()
    _sign_in(page, live, "0900000101")
    page.locator("form.language button").click()
    page.goto(live(f"/certificates/{certificate.id}"))
    labels = page.locator("main dl.facts dt").all_inner_texts()
    assert "Learner" in labels and "Course" in labels
    assert "People" not in labels and "Courses" not in labels
