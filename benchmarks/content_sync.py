"""How long `flask content check` and `flask content sync` take on the shipped catalogue.

    python -m benchmarks.content_sync [--repeat 5]

Times the check, a first sync into an empty SQLite database, and a second sync that finds nothing
to change (best of N runs each). Budget (issue: "loading the whole catalogue takes well under a
second"): first sync under 1 s.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from flask_migrate import upgrade

    from lms import create_app
    from lms.content.check import check_content
    from lms.courses.loader import sync_content
    from lms.extensions import db

    content = ROOT / "content"
    check_times, first_times, again_times = [], [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": "bench"})
            with app.app_context():
                upgrade(directory=str(ROOT / "migrations"))
                start = time.perf_counter()
                tree, problems = check_content(content)
                check_times.append(time.perf_counter() - start)
                assert not problems, problems
                with app.test_request_context():
                    start = time.perf_counter()
                    sync_content(content)
                    db.session.commit()
                    first_times.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    report = sync_content(content)
                    db.session.commit()
                    again_times.append(time.perf_counter() - start)
                    assert not report.changed
                db.session.remove()
                db.engine.dispose()
    lessons = sum(len(c.lessons) for c in tree.courses)
    print(f"catalogue: {len(tree.courses)} courses, {lessons} lessons (two languages each)")
    print(f"content check:            {min(check_times) * 1000:.0f} ms")
    print(f"first sync (empty DB):    {min(first_times) * 1000:.0f} ms   budget < 1000 ms")
    print(f"second sync (no change):  {min(again_times) * 1000:.0f} ms")


if __name__ == "__main__":
    os.environ.setdefault("SECRET_KEY", "bench")
    main()
