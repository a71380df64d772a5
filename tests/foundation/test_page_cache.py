"""Kept pages (lms.pagecache): gzip from pieces, and what is never kept."""
import gzip
import random
import string
import zlib

import pytest
from flask_wtf.csrf import generate_csrf

from lms import pagecache
from lms.pagecache import KeptPage

MARK = "csrf-0123456789abcdef"


def _token(length: int, rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits + "._-") for _ in range(length))


@pytest.mark.parametrize("holes", [0, 1, 6])
@pytest.mark.parametrize("size", [300, 9_000, 80_000])  # 80 KB reaches past deflate's 32 KB window
def test_gzip_from_pieces_is_the_page_with_the_token_in_every_hole(holes, size):
    rng = random.Random(holes * size)
    words = ["Lừa đảo", "mã OTP", "<p>", "</p>", "chuyển khoản", "Bình dân học vụ số", "\n", " "]
    parts = ["".join(rng.choice(words) for _ in range(size // 10 // (holes + 1))) for _ in range(holes + 1)]
    html = MARK.join(parts)
    page = KeptPage(html, MARK, token_length=88)
    for _ in range(5):
        token = _token(88, rng)
        expected = token.encode().join(part.encode() for part in parts)
        assert page.body(token) == expected
        assert gzip.decompress(page.gzip(token)) == expected
        # A strict one-member inflate, as a browser does it: nothing left over, checksum right.
        inflater = zlib.decompressobj(wbits=31)
        assert inflater.decompress(page.gzip(token)) == expected and inflater.eof and not inflater.unused_data


def test_gzip_from_pieces_is_about_as_small_as_compressing_the_whole_page():
    html = MARK.join(["<p>Đừng đọc mã OTP cho ai, kể cả người xưng là công an.</p>" * 40] * 6)
    token = "x" * 88
    whole = len(gzip.compress(html.replace(MARK, token).encode(), 9))
    assert len(KeptPage(html, MARK, 88).gzip(token)) <= whole + 6 * 100


def test_a_token_of_another_length_or_a_page_with_nul_is_compressed_whole():
    page = KeptPage(f"<p>a</p>{MARK}<p>b</p>", MARK, token_length=10)
    assert gzip.decompress(page.gzip("short")) == b"<p>a</p>short<p>b</p>"
    with_nul = KeptPage(f"<p>a\0</p>{MARK}<p>b</p>", MARK, token_length=5)
    assert with_nul.deflated is None
    assert gzip.decompress(with_nul.gzip("12345")) == b"<p>a\x00</p>12345<p>b</p>"


def test_a_page_that_carries_the_readers_own_token_is_not_kept(app, monkeypatch):
    with app.test_request_context("/somewhere"):
        own = generate_csrf()
        monkeypatch.setattr(pagecache, "render_template", lambda *a, **k: f"<form>{own}</form>")
        html = pagecache.render_cached("any.html", ("key",), dict)
        assert html == f"<form>{own}</form>"
        assert not app.extensions["page_cache"].pages


def test_no_pages_are_kept_when_turned_off_or_while_editing_templates(other_app):
    assert other_app(PAGE_CACHE_SIZE=0).extensions["page_cache"] is None
    assert other_app(TEMPLATES_AUTO_RELOAD=True).extensions["page_cache"] is None
