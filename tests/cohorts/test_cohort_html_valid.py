"""The Nu HTML Checker finds no errors in the cohorts, cards, households and personal-data pages."""
import datetime
import io
from pathlib import Path

from lms.accounts.cards import issue_cards
from lms.cohorts.schedule import add_session
from lms.extensions import db
from lms.households.services import add_mentorship, create_household, set_household
from tests.foundation.test_html_valid import _check, vnu  # noqa: F401  (the checker fixture)

FIXTURES = Path(__file__).parent / "fixtures"


def test_cohort_pages_are_valid_html(vnu, client, auth, world, make_user, tmp_path):  # noqa: F811
    session = add_session(world.cohort, day=datetime.date(2026, 12, 5), starts_at=datetime.time(8), place="Nhà A")
    household = create_household(world.ward.id, "Hộ bà Lan", world.ward.groups[0].id)
    set_household(world.learner, household)
    add_mentorship(world.ward.id, world.learner, make_user(ward=world.ward, name="Trương Văn Tín"))
    (_, raw, _t), = issue_cards(world.cohort, [world.learner], world.coordinator)
    db.session.commit()
    c, p = world.cohort.id, world.learner.id
    pages = {"card-sign-in": client.get(f"/s/{raw}").get_data(as_text=True),
             "card-unknown": client.get("/s/nope").get_data(as_text=True)}
    auth.login(world.coordinator)
    for name, url in {
        "index": "/cohorts/", "new": "/cohorts/new", "cohort": f"/cohorts/{c}", "edit": f"/cohorts/{c}/edit",
        "enrol": f"/cohorts/{c}/enrol?q=lan", "import": f"/cohorts/{c}/import", "roster": f"/cohorts/{c}/roster",
        "member": f"/cohorts/{c}/members/{p}", "sessions": f"/cohorts/{c}/sessions",
        "session-edit": f"/cohorts/{c}/sessions/{session.id}/edit",
        "attendance": f"/cohorts/{c}/sessions/{session.id}/attendance", "erase": f"/people/{p}/erase",
        "households": "/households/", "household": f"/households/{household.id}", "household-new": "/households/new",
        "household-search": f"/households/{household.id}?q=tin", "mentors": "/mentors/?q=lan",
        "mentor": f"/mentors/{p}?q=tin",
        "people": "/people/", "people-search": "/people/?q=lan", "people-bad-filter": "/people/?status=x",
        "cohorts-filtered": "/cohorts/?audience=elderly&q=lop", "roster-search": f"/cohorts/{c}/roster?q=lan",
        "roster-print": f"/cohorts/{c}/roster/print",
    }.items():
        pages[name] = client.get(url).get_data(as_text=True)
    pages["new-person-errors"] = client.post(f"/cohorts/{c}/enrol", data={"new-phone": "12"}).get_data(as_text=True)
    upload = client.post(f"/cohorts/{c}/import", content_type="multipart/form-data",
                         data={"sheet": (io.BytesIO((FIXTURES / "messy_export.xlsx").read_bytes()), "m.xlsx")})
    pages["preview"] = client.get(upload.headers["Location"]).get_data(as_text=True)
    pages["preview-errors"] = client.post(upload.headers["Location"], data={}).get_data(as_text=True)
    client.post(upload.headers["Location"], data={"consent": "y"})
    pages["import-done"] = client.get(upload.headers["Location"]).get_data(as_text=True)
    pages["cards"] = client.post(f"/cohorts/{c}/cards").get_data(as_text=True)
    auth.logout()
    auth.login(world.learner)
    for name, url in {"mine": "/my/cohorts", "join": f"/join/{world.other_cohort.join_code}",
                      "my-data": "/my/data"}.items():
        pages[name] = client.get(url).get_data(as_text=True)
    pages["join-error"] = client.post("/join", data={"code": "NOPE"}).get_data(as_text=True)
    problems = _check(vnu, pages, tmp_path)
    assert problems == [], "\n".join(problems)
