"""Two requests for the same certificate racing through the real server issue it exactly once."""
import re
import threading
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import sqlalchemy as sa

from lms.certificates.models import Certificate
from lms.extensions import db
from tests.certificates.conftest import finish


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _signed_in_opener(live, phone: str, pin: str = "482916"):
    """A browser-like session: cookies kept, CSRF token read from the sign-in page."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect())
    with opener.open(live("/login")) as response:
        token = re.search(r'name="csrf-token" content="([^"]+)"', response.read().decode()).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "phone": phone, "secret": pin}).encode()
    try:
        opener.open(live("/login"), data=body)
    except urllib.error.HTTPError as exc:  # the 302 after signing in
        assert exc.code == 302, exc.code
    return opener


def _claim_token(opener, url: str) -> str:
    """The token of the claim page's form: issuing is a POST with it, never a GET."""
    with opener.open(url) as response:
        return re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode()).group(1)


def test_two_racing_requests_through_the_server_issue_one_certificate(live, lan, make_course):
    course = make_course()
    finish(lan, course)
    url = live(f"/certificates/course/{course.slug}")
    openers = [_signed_in_opener(live, lan.phone) for _ in range(2)]
    for opener in openers:
        opener.csrf_token = _claim_token(opener, url)
    barrier = threading.Barrier(2)
    locations, errors = [], []

    def ask(opener):
        barrier.wait(timeout=10)
        try:
            opener.open(url, data=urllib.parse.urlencode({"csrf_token": opener.csrf_token}).encode())
        except urllib.error.HTTPError as exc:
            if exc.code == 302:
                locations.append(exc.headers["Location"])
            else:
                errors.append(exc.code)

    threads = [threading.Thread(target=ask, args=(o,)) for o in openers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert len(locations) == 2 and locations[0] == locations[1]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)
                             .where(Certificate.user_id == lan.id)) == 1
