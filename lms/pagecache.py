"""Pages that many readers see alike, rendered once and kept in memory.

A lesson page is the same for every learner who has the same language, roles, reading
preferences and done-mark; only the CSRF token differs, and it is filled in on the way out.
Rendering it (the layout's menu, ~100 translated strings, a dozen URLs) costs far more than the
queries that decide which page to show, so a page kept per variant makes each request several
times cheaper (see benchmarks/page_weight.py).

What makes a variant:
- the view's own key, which must name the content and everything else its template reads
  (e.g. the course's content hash, the lesson id, whether the learner has done it);
- what the layout (base.html) reads about the request: language, signed in or not, roles and path;
- whatever a feature registers with `vary_by` (e.g. reading preferences).
A page is never kept while the session holds flashed messages, which show once. Use it only
for pages that show nothing else of the reader (no name, no answers): the tests compare kept pages
with fresh ones for different readers.

Each process keeps its own bounded LRU (PAGE_CACHE_SIZE pages, 0 turns it off). Content changes
reach every process through the view's key (a new content hash is a new page), so nothing has to
be cleared across processes; templates and translations change only with a restart.
"""
from __future__ import annotations

import functools
import gzip
import secrets
import struct
import threading
import zlib
from collections.abc import Callable, Hashable

from cachetools import LRUCache
from flask import Response, current_app, g, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

_varies: list[Callable[[], Hashable]] = []


def vary_by(function: Callable[[], Hashable]) -> Callable[[], Hashable]:
    """Register something of the request that the layout shows; pages are kept per its value."""
    _varies.append(function)
    return function


# A kept page goes out gzipped without compressing it again. A gzip member is a header, deflate
# blocks and a trailer (RFC 1952); blocks ending in a sync flush are byte-aligned, so pieces
# compressed apart can be joined. Each piece is compressed once, with everything before it as its
# dictionary and NUL bytes standing where the tokens will be: a page has no NUL, so nothing can
# refer back into a token, and every other reference still finds the same bytes. Per request only
# the token is compressed, once, and put into each hole.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time, unknown OS
_GZIP_LAST_BLOCK = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS).flush(zlib.Z_FINISH)
_WINDOW = 32 * 1024


def _deflate_piece(data: bytes, level: int, history: bytes = b"") -> bytes:
    if history:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, zdict=history[-_WINDOW:])
    else:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


@functools.lru_cache(maxsize=4096)
def _deflated_token(raw_token: bytes) -> bytes:
    # A session's token is the same on every page it reads (PageCache.token), so it is compressed
    # once, not per request: setting up a compressor costs more than the rest of the gzip.
    return _deflate_piece(raw_token, 1)


class KeptPage:
    """A rendered page split where the CSRF token goes, its pieces also compressed ahead."""

    def __init__(self, html: str, mark: str, token_length: int) -> None:
        self.pieces = [piece.encode() for piece in html.split(mark)]
        self.token_length = token_length
        self.deflated: list[bytes] | None = None
        if any(b"\0" in piece for piece in self.pieces):
            return  # cannot stand in for the tokens: compress per request instead
        self.deflated, history = [], b""
        for index, piece in enumerate(self.pieces):
            if index:
                history += b"\0" * token_length
            self.deflated.append(_deflate_piece(piece, 9, history))
            history += piece

    def body(self, token: str) -> bytes:
        return token.encode().join(self.pieces)

    def gzip(self, token: str) -> bytes:
        raw_token = token.encode()
        if self.deflated is None or len(raw_token) != self.token_length:
            return gzip.compress(self.body(token), compresslevel=6, mtime=0)
        deflated_token = _deflated_token(raw_token)
        out = [_GZIP_HEADER, self.deflated[0]]
        crc = zlib.crc32(self.pieces[0])
        for piece, deflated in zip(self.pieces[1:], self.deflated[1:]):
            out += (deflated_token, deflated)
            crc = zlib.crc32(piece, zlib.crc32(raw_token, crc))
        size = sum(map(len, self.pieces)) + len(raw_token) * (len(self.pieces) - 1)
        out += (_GZIP_LAST_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF))
        return b"".join(out)


class PageCache:
    def __init__(self, size: int) -> None:
        self.pages: LRUCache = LRUCache(maxsize=size)
        self.tokens: LRUCache = LRUCache(maxsize=4 * size)  # (secret, session's raw token) -> signed
        self.lock = threading.Lock()
        # A random stand-in, new for each process, so no content can contain it by chance.
        self.token_mark = "csrf-" + secrets.token_hex(16)

    def get(self, key: tuple) -> KeptPage | None:
        with self.lock:
            return self.pages.get(key)

    def put(self, key: tuple, page: KeptPage) -> None:
        with self.lock:
            self.pages[key] = page

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.tokens.clear()

    def token(self) -> str:
        """This request's CSRF token, as Flask-WTF makes it, but signed once per session and process.

        With no WTF_CSRF_TIME_LIMIT a signed token never expires, so the one signed before for
        this session's secret is as good as a new one, and signing costs more than a look-up.
        """
        config = current_app.config
        field = config["WTF_CSRF_FIELD_NAME"]
        raw = session.get(field)
        if raw is None or config.get("WTF_CSRF_TIME_LIMIT") or field in g:
            return generate_csrf()
        key = (config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, raw)
        with self.lock:
            signed = self.tokens.get(key)
        if signed is None:
            signed = generate_csrf()
            with self.lock:
                self.tokens[key] = signed
        else:
            setattr(g, field, signed)  # what Flask-WTF's own calls return for the rest of the request
        return signed


def init_app(app) -> None:
    size = app.config.get("PAGE_CACHE_SIZE", 0)
    if app.debug or app.config.get("TEMPLATES_AUTO_RELOAD"):
        size = 0  # someone is editing templates: show every change at once
    app.extensions["page_cache"] = PageCache(size) if size else None


def request_variant() -> tuple:
    """What the layout shows that differs between readers of the same content."""
    from lms.templating import current_lang

    # Asking who reads checks the sign-in against the database first (lms.accounts.principal), so
    # a page kept for signed-in readers never reaches a browser whose sign-in has ended.
    who = tuple(sorted(current_user.roles)) if current_user.is_authenticated else None
    return (current_lang(), who, request.full_path, *(function() for function in _varies))


def render_cached(template: str, key: tuple, context: Callable[[], dict]) -> str | Response:
    """Render `template` with `context()` once per key and variant; fill in this request's token.

    `context` is called only when the page is not kept yet, so it can do the slow loading.
    A kept page goes out gzipped from its pieces when the browser takes gzip.
    """
    cache: PageCache | None = current_app.extensions.get("page_cache")
    if cache is None or session.get("_flashes"):
        return render_template(template, **context())
    full_key = (template, key, request_variant())
    page = cache.get(full_key)
    if page is None:
        mark = cache.token_mark
        html = render_template(template, csrf_token=lambda: mark, **context())
        real = g.get(current_app.config["WTF_CSRF_FIELD_NAME"])
        if real and real in html:
            # Something wrote this reader's own token into the page (a form's hidden_tag, say):
            # it must not reach anyone else, so this page is not kept.
            return html.replace(mark, real)
        page = KeptPage(html, mark, len(generate_csrf()))
        cache.put(full_key, page)
    token = cache.token()
    if request.accept_encodings["gzip"]:
        response = Response(page.gzip(token), mimetype="text/html")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(page.body(token), mimetype="text/html")
    response.headers["Vary"] = "Accept-Encoding"  # a new response: nothing else varies it yet
    return response
