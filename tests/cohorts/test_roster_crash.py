"""A roster of 2,000 learners with progress, fetched 50 times by one process, does not kill it.

On Python 3.11 the process used to die with a segmentation fault (under gunicorn, one request in
about eight): a garbage collection started inside an attribute store while the request's ORM
session closed, and SQLAlchemy's weakref callback freed what that store was using (see
lms/collector.py: request code now runs with automatic collection paused). The fetching runs in
a child process, so that a crash fails this test instead of ending the test run. Whether a page
meets the exact moment depends on the history of the process, so besides the roster, its whole
list to print and a page holding every member as ORM objects, the child asks each time for a page
that makes the moment certain; without the fix the child dies on its first request for it.
"""
import subprocess
import sys
import textwrap

import sqlalchemy as sa

from lms.accounts.models import User, UserRole
from lms.accounts.names import name_keys
from lms.cohorts.models import Enrollment
from lms.cohorts.services import create_cohort
from lms.courses.models import Course, Lesson, LessonProgress
from lms.extensions import db
from lms.timeutil import utcnow
from tests.conftest import ROOT

MEMBERS = 2000
FETCHES = 50

CHILD = textwrap.dedent("""
    import gc, re, sys
    from lms import create_app
    from tests.conftest import make_test_config

    url, cohort_id, cookie, fetches = sys.argv[1:5]

    app = create_app(make_test_config(url))
    gc.freeze()  # as gunicorn.conf.py does once a worker has started

    # The roster reads plain rows now; this page holds the members as ORM objects (with their roles,
    # loaded with them), as the roster did when the crash was found.
    import sqlalchemy as sa
    from flask import render_template_string
    from lms.accounts.models import User
    from lms.cohorts.models import Enrollment
    from lms.extensions import db

    @app.get("/test/members-as-objects/<int:cohort_id>")
    def members_as_objects(cohort_id):
        pairs = db.session.execute(sa.select(Enrollment, User).join(User, User.id == Enrollment.user_id)
                                   .where(Enrollment.cohort_id == cohort_id)).all()
        return render_template_string(
            "{% for e, u in pairs %}<p>{{ u.full_name }} {{ u.roles|length }} {{ e.enrolled_at }}</p>{% endfor %}",
            pairs=pairs)

    # What the crash came from, made certain: a collection that starts inside an attribute store
    # (when the store builds the object's dict) and runs a weakref callback that changes that same
    # object. CPython 3.11 then keeps using freed memory; request code must never meet it.
    import weakref

    class State:
        pass

    met = State()
    for n in range(40):  # the class's shared names are all taken: a new name builds a dict
        setattr(met, f"k{n}", n)

    class Garbage:
        pass

    @app.get("/test/store-while-collecting")
    def store_while_collecting():
        before = gc.get_threshold()
        for _ in range(200):
            state = State()
            state.k0 = 0
            garbage = Garbage()
            garbage.cycle = garbage

            def cleanup(ref, state=state):
                state.k1 = None
                state.other = None  # builds a dict of the values and grows it: the values are freed

            ref = weakref.ref(garbage, cleanup)
            del garbage
            dicts = [{} for _ in range(100)]  # no spare dict: the next one is a tracked allocation
            gc.set_threshold(1)
            state.extra = 1  # builds a dict; allocating it would start a collection (cleanup runs)
            gc.set_threshold(*before)
            for n in range(20):
                setattr(state, f"x{n}", n)
            del dicts, ref
        return "ok"

    client = app.test_client()
    client.set_cookie("session", cookie)  # signed in by another process, as a browser would be
    for _ in range(int(fetches)):
        first = client.get(f"/cohorts/{cohort_id}/roster")
        assert first.status_code == 200, first.status_code
        whole = client.get(f"/cohorts/{cohort_id}/roster/print")
        assert whole.status_code == 200, whole.status_code
        members = len(re.findall(r"<tr>\\s*<td>", whole.get_data(as_text=True)))
        assert client.get("/test/store-while-collecting").get_data(as_text=True) == "ok"
        objects = client.get(f"/test/members-as-objects/{cohort_id}")
        assert objects.get_data(as_text=True).count("<p>") == members, "not every member"
    print("members", members, flush=True)
""")


def _big_cohort(ward, coordinator):
    courses = []
    for k in range(2):
        course = Course(slug=f"khoa-{k}", title={"vi": f"Khoá {k}"}, summary={"vi": ""}, audiences=["everyone"],
                        competences=[], level=1, minutes=30, version=1, content_hash="x")
        course.lessons = [Lesson(slug=f"bai-{i}", position=i, title={"vi": f"Bài {i}"}, minutes=5, competences=[],
                                 html={}, slides={}, plain_text={}, content_hash="x") for i in range(1, 6)]
        db.session.add(course)
        courses.append(course)
    db.session.flush()
    cohort = create_cohort(ward_id=ward.id, name="Lớp đông người", audience="everyone",
                           course_ids=[c.id for c in courses])
    db.session.commit()
    now = utcnow()
    given = ["An", "Ánh", "Bình", "Chi", "Dũng", "Đức", "Hà", "Hạnh", "Lan", "Mai", "Nam", "Yến"]
    people = []
    for i in range(MEMBERS):
        name = f"{['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Đỗ'][i % 5]} Thị {given[i % 12]}"
        name_key, sort_key = name_keys(name)
        people.append(dict(full_name=name, name_key=name_key, sort_key=sort_key, phone=f"098{i:07d}",
                           ward_id=ward.id, group_id=ward.groups[i % 2].id, birth_year=1950 + i % 40,
                           secret_kind="pin", failed_logins=0, is_active_account=True, created_at=now))
    db.session.execute(sa.insert(User.__table__), people)
    ids = db.session.scalars(sa.select(User.id).where(User.phone.like("098%"))).all()
    db.session.execute(sa.insert(UserRole.__table__), [dict(user_id=i, role="learner", granted_at=now) for i in ids])
    db.session.execute(sa.insert(Enrollment.__table__),
                       [dict(cohort_id=cohort.id, user_id=i, enrolled_at=now, source="import") for i in ids])
    lessons = [lesson.id for course in courses for lesson in course.lessons]
    db.session.execute(sa.insert(LessonProgress.__table__),
                       [dict(user_id=u, lesson_id=lesson, started_at=now, completed_at=now if (u + n) % 3 else None)
                        for u in ids for n, lesson in enumerate(lessons) if (u + n) % 4])
    db.session.commit()
    return cohort


def test_a_big_roster_fetched_fifty_times_does_not_crash_the_process(app, client, auth, make_ward, make_user,
                                                                   database_url):
    ward = make_ward()
    coordinator = make_user(("coordinator",), ward=ward, name="Trần Thị Thu Hà")
    cohort = _big_cohort(ward, coordinator)
    assert auth.login(coordinator).status_code == 302
    cookie = client.get_cookie("session").value

    child = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", CHILD, database_url, str(cohort.id), cookie, str(FETCHES)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )

    assert child.returncode == 0, child.stderr[-3000:]
    assert f"members {MEMBERS}" in child.stdout
