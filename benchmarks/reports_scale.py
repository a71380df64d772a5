"""Ward reports on a large ward (not a test; numbers go into the README by hand).

    python -m benchmarks.reports_scale [--people 100000] [--database-url postgresql://…] [--repeat 5]
                                       [--keep FILE.db] [--reuse FILE.json]

Builds one ward with benchmarks.ward_scale's generator (`build`: cohorts, 20 lessons a learner,
certificates, attendance) on a throw-away SQLite file by default, then, signed in as the
coordinator and then as an administrator through Flask's test client, times the ward dashboard,
the people behind a figure, the annual XLSX and CSV, and the province view. Budget: dashboard and
province view < 1 s, annual XLSX < 5 s.

With `--wards 100` it builds the province of issue 12 instead: 100 wards of 1,000 people
(100,000 learners in all, 2,000,000 lesson-progress rows, 150,000 certificates, about 20,000
sessions with their attendance; `benchmarks.ward_scale.generate_province`), and measures the
first ward's dashboard and exports and the province view over all of them.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

from pathlib import Path

from benchmarks.ward_scale import Ward, _app, build


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--wards", type=int, default=1, help="spread the people over this many wards (a province)")
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", help="SQLite: build the ward into this file and keep it (with FILE.json beside it)")
    parser.add_argument("--reuse", help="the JSON file describing a ward built earlier with --keep or on PostgreSQL")
    args = parser.parse_args(argv)
    if args.reuse:
        saved = json.loads(Path(args.reuse).read_text())
        url, ward = saved["database_url"], Ward(**saved["ward"])
    else:
        url = args.database_url or f"sqlite:///{Path(args.keep).resolve() if args.keep else tempfile.mkdtemp() + '/reports.db'}"
        t0 = time.perf_counter()
        ward = build(url, args.people, wards=args.wards)
        print(f"built {args.wards} ward(s) of {args.people:,} people in all in {time.perf_counter() - t0:.0f} s", flush=True)
        if args.keep or args.database_url:
            record = Path(args.keep or Path(tempfile.gettempdir()) / f"reports-{args.people}.json").with_suffix(".json")
            record.write_text(json.dumps({"database_url": url, "ward": ward.__dict__}))
            print(f"reuse it with --reuse {record}", flush=True)
    year = "start=2026-01-01&end=2026-12-31"
    app = _app(url)
    from lms.accounts.models import UserRole
    from lms.accounts.people import create_person
    from lms.extensions import db

    with app.app_context():
        if not args.reuse:
            create_person(full_name="Quản trị", phone="0900000999", roles=("admin",), secret="482916", ward=None)
            db.session.commit()
    targets = [
        ("coordinator", "ward dashboard, a year", f"/reports/wards/{ward.ward_id}?{year}"),
        ("coordinator", "people behind 'certified', page 1", f"/reports/wards/{ward.ward_id}/people?kind=certified&{year}"),
        ("coordinator", "annual report XLSX", f"/reports/wards/{ward.ward_id}/report.xlsx?{year}"),
        ("coordinator", "annual report CSV", f"/reports/wards/{ward.ward_id}/report.csv?{year}"),
        ("admin", "province view, a year", f"/reports/province?{year}"),
        ("admin", "province XLSX, a year", f"/reports/province.xlsx?{year}"),
    ]
    for who, phone in (("coordinator", ward.coordinator_phone), ("admin", "0900000999")):
        with app.test_client() as client:
            response = client.post("/login", data={"phone": phone, "secret": "482916"})
            assert response.status_code == 302, response.status_code
            for role, what, target in targets:
                if role != who:
                    continue
                times = []
                for run in range(args.repeat + 1):
                    t = time.perf_counter()
                    response = client.get(target)
                    body = b"".join(response.response) if response.is_streamed else response.get_data()
                    if run:
                        times.append(time.perf_counter() - t)
                times.sort()
                print(f"  {what:40} {response.status_code} {len(body) / 1024:8.1f} KB  "
                      f"median {times[len(times) // 2] * 1000:8.0f} ms  max {times[-1] * 1000:8.0f} ms", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
