"""Lessons without signal, on a 360×640 phone: the service worker keeps an enrolled learner's
lessons (and their images), a check answered offline is queued and counted once when the phone is
back online (also when the same queued answer is sent twice), the page says so in Vietnamese,
final quizzes stay online-only, and signing out leaves nothing of the learner on the phone."""
import pytest
import sqlalchemy as sa

from lms.cohorts.models import Cohort, Enrollment
from lms.courses.models import Course, Lesson, LessonProgress
from lms.extensions import db
from lms.offline.models import QueuedAnswer
from lms.quizzes.models import Answer, Quiz, QuizAttempt
from tests.e2e.harness import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.e2e

COURSE = "an-toan-tren-mang"
LESSON = f"/courses/{COURSE}/cuoc-goi-gia-danh"
PICTURES = "cho-so-4t"  # its fourth lesson's check shows QR stands as pictures
PIN = "482916"


def _wait(page, condition: str, seconds: float = 10) -> None:
    """Poll a condition (the pages' CSP forbids the eval that wait_for_function uses)."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(condition):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {condition}")


def _kept(page, path: str) -> bool:
    return page.evaluate("""async (path) => {
      const names = (await caches.keys()).filter(n => n.startsWith('lopso-pages-'));
      for (const name of names) {
        if (await (await caches.open(name)).match(new URL(path, location.href).href)) return true;
      }
      return false;
    }""", path)


@pytest.fixture()
def enrolled(catalogue, make_ward, make_user):
    ward = make_ward("Phường Mẫu")
    learner = make_user(ward=ward, name="Nguyễn Thị Lan", phone="0912 345 630", birth_year=1955)
    cohort = Cohort(ward_id=ward.id, name="Lớp người cao tuổi", audience="elderly", join_code="OFFLINE1")
    cohort.courses = list(db.session.scalars(sa.select(Course).where(Course.slug.in_([COURSE, PICTURES]))))
    db.session.add(cohort)
    db.session.flush()
    db.session.add(Enrollment(cohort_id=cohort.id, user_id=learner.id))
    db.session.commit()
    return learner


def _sign_in_and_keep(page, live, phone: str) -> None:
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill(phone)
    page.get_by_label("Mã PIN hoặc mật khẩu").fill(PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live("/"))
    _wait(page, "!!navigator.serviceWorker.controller")
    _wait(page, "async () => await caches.has('lopso-meta')")
    check = db.session.scalar(sa.select(Quiz.id).join(Lesson, Quiz.lesson_id == Lesson.id).join(Course)
                              .where(Course.slug == COURSE, Lesson.slug == "cuoc-goi-gia-danh", Quiz.kind == "check"))
    # The worker notes when it has fetched everything on the list.
    _wait(page, """async () => {
      const state = await (await caches.open('lopso-meta')).match(new URL('/offline-state.json', location.href).href);
      return !!state && (await state.json()).listed > 0;
    }""", seconds=20)
    assert _kept(page, LESSON) and _kept(page, f"/offline/checks/{check}") and _kept(page, "/offline/")


def test_an_enrolled_lesson_opens_offline_and_its_check_counts_once_back_online(live, phone_page, enrolled):
    page = phone_page
    _sign_in_and_keep(page, live, "0912345630")
    context = page.context

    # Taken off the site after the phone kept it: only the kept copy can show it now.
    kept_only = db.session.scalar(sa.select(Lesson).where(Lesson.slug == "ma-otp-va-link-la"))
    kept_only.retired_at = kept_only.updated_at
    db.session.commit()

    context.set_offline(True)
    page.goto(live(f"/courses/{COURSE}/ma-otp-va-link-la"))
    assert page.locator("h1").inner_text() == kept_only.title["vi"]
    page.goto(live(LESSON))
    title = db.session.scalar(sa.select(Lesson.title).where(Lesson.slug == "cuoc-goi-gia-danh"))["vi"]
    assert page.locator("h1").inner_text() == title
    banner = page.locator("#offline-banner")
    banner.wait_for()
    assert "Điện thoại đang mất mạng" in banner.inner_text()
    assert "bài kiểm tra cuối khoá cần có mạng" in banner.inner_text()
    assert_accessible(page)

    # The learner finishes the lesson: the done-mark waits, and the check kept for offline opens.
    page.get_by_role("button", name="Tôi đã học xong, làm bài kiểm tra nhanh").click()
    page.wait_for_url("**/offline/checks/*")
    sections = page.locator("section.question")
    total = sections.count()
    assert total >= 2
    for i in range(total):
        section = sections.nth(i)
        section.locator('input[name="choice"]').first.check()
        section.get_by_role("button", name="Gửi câu trả lời").click()
        assert section.locator(".queued-status").inner_text() == (
            "Đã lưu câu trả lời trên điện thoại. Sẽ gửi khi có mạng.")
    assert f"Có {total} câu trả lời đang chờ gửi" in banner.inner_text()
    assert_accessible(page)
    queued = page.evaluate("localStorage.getItem('lopso-queue')")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0  # nothing reached the server

    # Back online: everything is sent, graded by the server, and shown.
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    summary = page.locator(".check-summary")
    summary.get_by_role("link", name="Xem kết quả và lời giải thích").wait_for()
    _wait(page, "JSON.parse(localStorage.getItem('lopso-queue') || '[]').length === 0")
    attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.user_id == enrolled.id))
    assert attempt.submitted_at is not None and attempt.question_count == total
    assert f"bạn trả lời đúng {attempt.correct_count}/{total} câu" in summary.inner_text()
    verdicts = [sections.nth(i).locator(".queued-status").inner_text() for i in range(total)]
    assert sum(v == "Đã gửi. Máy chủ chấm: đúng." for v in verdicts) == attempt.correct_count
    assert "Điện thoại đang mất mạng" not in banner.inner_text()
    lesson_done = db.session.scalar(sa.select(LessonProgress.completed_at).join(Lesson)
                                    .where(LessonProgress.user_id == enrolled.id, Lesson.slug == "cuoc-goi-gia-danh"))
    assert lesson_done is not None

    # The same queue sent again (a reply lost on a weak line): counted once.
    page.evaluate("(q) => localStorage.setItem('lopso-queue', q)", queued)
    page.evaluate("window.lopsoFlush()")
    _wait(page, "JSON.parse(localStorage.getItem('lopso-queue') || '[]').length === 0")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == total
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QueuedAnswer)) == total
    assert db.session.get(QuizAttempt, attempt.id).correct_count == attempt.correct_count
    assert_no_console_errors(page)


def test_pictures_of_a_kept_check_show_offline_and_final_quizzes_say_online_only(live, phone_page, enrolled):
    page = phone_page
    _sign_in_and_keep(page, live, "0912345630")
    check = db.session.scalar(sa.select(Quiz.id).join(Lesson, Quiz.lesson_id == Lesson.id).join(Course)
                              .where(Course.slug == PICTURES, Lesson.slug == "nhan-tien-qr-tai-sap"))
    final = db.session.scalar(sa.select(Quiz.id).join(Course).where(Course.slug == COURSE, Quiz.kind == "final"))
    page.goto(live(f"/quizzes/{final}/"))
    assert "chỉ làm được khi có mạng" in page.locator("main").inner_text()

    page.context.set_offline(True)
    page.goto(live(f"/offline/checks/{check}"))
    images = page.locator("section.question img")
    assert images.count() >= 3
    _wait(page, "[...document.querySelectorAll('section.question img')].every(i => i.complete && i.naturalWidth > 0)")

    # A final quiz is never kept: offline it says so, in words.
    page.goto(live(f"/quizzes/{final}/"))
    assert page.locator("h1").inner_text() == "Chưa có mạng"
    text = page.locator("main").inner_text()
    assert "Bài kiểm tra cuối khoá chỉ làm được khi có mạng." in text
    assert "Điện thoại đang mất mạng" in page.locator("#offline-banner").inner_text()
    assert page.get_by_role("link", name="An toàn trên mạng").count() or "Khoá học đã lưu" in text
    assert_accessible(page)


def test_signing_out_leaves_none_of_the_learners_pages_on_a_shared_phone(live, phone_page, enrolled, make_user):
    bình = make_user(ward=enrolled.ward, name="Trần Văn Bình", phone="0912 345 631")
    page = phone_page
    _sign_in_and_keep(page, live, "0912345630")
    page.locator("summary").first.click()
    page.locator("details.menu-narrow").get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()
    _wait(page, "async () => (await caches.keys()).every(n => !n.startsWith('lopso-pages-'))")
    names = page.evaluate("caches.keys()")
    assert not [n for n in names if n.startswith("lopso-pages-")], names

    # Offline, the next person sees no page of hers.
    page.context.set_offline(True)
    response = None
    try:
        response = page.goto(live(LESSON))
    except Exception:  # the browser's own "no internet" page
        pass
    title = db.session.scalar(sa.select(Lesson.title).where(Lesson.slug == "cuoc-goi-gia-danh"))["vi"]
    assert response is None or title not in page.content()
    page.context.set_offline(False)

    # The next person signs in on the same phone: none of Lan's pages, only what Bình opens.
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill(bình.phone)
    page.get_by_label("Mã PIN hoặc mật khẩu").fill(PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live("/"))
    page.goto(live(f"/courses/{PICTURES}/"))
    _wait(page, f"async () => (await caches.keys()).filter(n => n.startsWith('lopso-pages-')).length === 1")
    _wait(page, "async () => { const names = (await caches.keys()).filter(n => n.startsWith('lopso-pages-'));"
                f" return names.length === 1 && !!(await (await caches.open(names[0])).match(location.href)); }}")
    assert not _kept(page, LESSON)  # Lan's lesson, opened by nobody here since
