"""gunicorn settings for Lớp Số; gunicorn reads this file when started from the project folder.

    gunicorn wsgi:app

One sync worker per core. On a 2-core machine, 2 sync workers gave the lesson page its best tail
under 50 busy connections; a third worker, or threaded workers, made requests wait behind one
another (benchmarks/page_weight.py; numbers in README). A sync worker is busy while a slow phone
downloads a large file (a class's certificates PDF): where that happens often, put nginx in front,
which buffers responses, or raise WEB_CONCURRENCY.
"""
import gc
import multiprocessing
import os

bind = os.environ.get("LMS_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "sync"
timeout = 60  # a year's certificate export as XLSX takes some seconds on a small machine


def post_worker_init(worker):
    # What the app loaded at start lives as long as the worker: keep it out of the garbage
    # collector's full passes, which would otherwise walk it all (≈0.1 s) now and then.
    gc.freeze()
