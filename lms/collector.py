"""The cyclic garbage collector runs between pieces of work, never in the middle of a request's code.

Why: on CPython 3.11 the collector can start inside any allocation of a tracked object, including
the dict that CPython builds when an attribute is stored on an object that kept its attributes
inline and the name is new to its class. If that collection finds an ORM object unreachable (the
objects of a page are usually in reference cycles: User and UserRole point at each other, and the
template's context at everything), SQLAlchemy's weakref callback (`InstanceState._cleanup`) sets
attributes on that object's state, which may be the very state whose attribute store started the
collection. CPython then builds the new dict on a values array that the callback has already freed,
and the process dies later in `pymalloc_alloc` or while collecting. It happened at the end of every
big roster: the session's close (`_detach_states`: `state._strong_obj = None`) materialises a dict
on each state it detaches. Python 3.12 runs the collector only between bytecodes (python/cpython
gh-97922), where this cannot happen; Debian 12 ships 3.11, so the app does the same itself there:
automatic collection is paused while the app's code runs (the view, the template, the session's
close, and each chunk of a streamed body), and a collection that has come due runs right after,
as an explicit call, at a point where no store is half done.
"""
from __future__ import annotations

import gc
import sys
import threading
from contextlib import contextmanager

NEEDED = sys.implementation.name == "cpython" and sys.version_info < (3, 12)

_lock = threading.RLock()
_depth = 0  # pieces of app code running now (threads of the same process)
_paused_by_us = False


def collect_if_due() -> None:
    """Run the collection that CPython would have started by itself (same thresholds)."""
    thresholds = gc.get_threshold()
    if not thresholds[0]:
        return
    counts = gc.get_count()
    for generation in (2, 1, 0):
        if counts[generation] > thresholds[generation]:
            gc.collect(generation)
            return


@contextmanager
def paused():
    """No automatic collection inside; a due one runs when the last piece of app code leaves."""
    global _depth, _paused_by_us
    with _lock:
        if _depth == 0 and gc.isenabled():
            gc.disable()
            _paused_by_us = True
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            last = _depth == 0
            if last:
                collect_if_due()  # explicit: other threads wait at a bytecode boundary, a safe point
                if _paused_by_us:
                    gc.enable()
                    _paused_by_us = False
        if not last:
            collect_if_due()  # requests overlap all the time: still collect, never inside their code


class _PausedBody:
    """A response body whose chunks (a streamed body runs app code and ORM reads) are made paused."""

    def __init__(self, body) -> None:
        self._body = body
        self._chunks = None

    def __iter__(self):
        return self

    def __next__(self):
        with paused():
            if self._chunks is None:
                self._chunks = iter(self._body)
            return next(self._chunks)

    def close(self) -> None:
        close = getattr(self._body, "close", None)
        if close is not None:
            with paused():
                close()


class _CollectBetween:
    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        with paused():
            body = self.wsgi_app(environ, start_response)
        file_wrapper = environ.get("wsgi.file_wrapper")
        if isinstance(file_wrapper, type) and isinstance(body, file_wrapper):
            return body  # a file the server sends itself (sendfile): no app code runs
        return _PausedBody(body)


def init_app(app) -> None:
    if NEEDED:
        app.wsgi_app = _CollectBetween(app.wsgi_app)
