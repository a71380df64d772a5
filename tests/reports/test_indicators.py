"""Every indicator against the hand-made ward of conftest.py, answers worked out by hand; on SQLite
and, with LMS_TEST_DATABASE_URL, on PostgreSQL."""
from __future__ import annotations

from datetime import date

from lms.reports import indicators as ind
from lms.reports.province import province


def test_enrolled_completed_certified_count_people_in_the_period_in_vietnam_time(known_ward):
    w, s, e = known_ward.ward.id, known_ward.start, known_ward.end
    # p9 enrolled at 01:00 on 1 January in Vietnam (18:00 UTC the day before): inside.
    assert ind.people_enrolled(w, s, e) == 6
    # p1, p9 (final passed), p3 (in-person certificate), p5 (erased, still a number); p8 passed on
    # 1 July in Vietnam; p4's certificate was revoked.
    assert ind.people_completed(w, s, e) == 4
    assert ind.people_certified(w, s, e) == 3


def test_by_audience_group_course_and_competence(known_ward):
    w, s, e = known_ward.ward.id, known_ward.start, known_ward.end
    assert ind.by_audience(w, s, e) == {
        "elderly": {"enrolled": 4, "completed": 2, "certified": 1},
        "traders": {"enrolled": 2, "completed": 1, "certified": 1},
        "disability": {"enrolled": 0, "completed": 1, "certified": 1},
    }
    assert ind.by_group(w, s, e) == {
        known_ward.g1.id: {"enrolled": 4, "completed": 2, "certified": 1},
        known_ward.market.id: {"enrolled": 2, "completed": 1, "certified": 1},
        0: {"enrolled": 0, "completed": 1, "certified": 1},
    }
    c1, c2 = known_ward.c1.id, known_ward.c2.id
    assert ind.by_course(w, s, e) == {
        c1: {"enrolled": 6, "completed": 2, "certified": 1},
        c2: {"enrolled": 2, "completed": 2, "certified": 2},
    }
    assert ind.by_competence(w, s, e) == {
        "1.1": {"enrolled": 6, "completed": 2, "certified": 1},
        "2.1": {"enrolled": 6, "completed": 4, "certified": 3},
        "3.1": {"enrolled": 2, "completed": 2, "certified": 2},
    }


def test_households_mentors_attendance_ai_and_groups(known_ward):
    w, s, e = known_ward.ward.id, known_ward.start, known_ward.end
    assert ind.households(w, s, e) == {"with_certified": 2, "known": 4}
    # p7's mentees who completed by 30 June: p1, p3, p9 (p5 erased: the mentorship went with the
    # data; p8 finished on 1 July, p10 in August). By 31 December: p1, p3, p8, p9, p10.
    assert ind.mentors(w, s, e) == {"mentors": 2, "mentors_five": 0}
    assert ind.mentors(w, s, date(2026, 12, 31)) == {"mentors": 2, "mentors_five": 1}
    assert ind.attendance(w, s, e) == {"sessions": 3, "presences": 4, "people": 3, "elderly": 2, "disability": 1}
    assert ind.ai_users(w, s, e) == {"users": 2, "learners": 7, "by_kind": {"search": 1, "writing": 1}}
    assert ind.groups_with_classes(w, s, e) == {"with_classes": 1, "groups": 2}


def test_trend_by_month(known_ward):
    rows = ind.trend(known_ward.ward.id, known_ward.start, known_ward.end)
    assert [r["month"] for r in rows] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert [(r["enrolled"], r["completed"], r["certified"]) for r in rows] == [
        (2, 1, 1), (2, 0, 0), (2, 1, 1), (0, 1, 1), (0, 0, 0), (0, 1, 0)]


def test_an_empty_ward_and_a_period_with_no_data_count_zero(known_ward, make_ward):
    empty = make_ward("Phường Trống", groups=())
    for ward_id, start, end in ((empty.id, known_ward.start, known_ward.end),
                                (known_ward.ward.id, date(2030, 1, 1), date(2030, 3, 31))):
        assert ind.people_enrolled(ward_id, start, end) == 0
        assert ind.by_audience(ward_id, start, end) == {}
        assert ind.attendance(ward_id, start, end)["sessions"] == 0
        assert ind.attendance(ward_id, start, end)["people"] == 0
        assert all(r["certified"] == 0 for r in ind.trend(ward_id, start, end))
    # Households and mentors are counted as they stand at the period's end: still there later.
    assert ind.households(empty.id, known_ward.start, known_ward.end) == {"with_certified": 0, "known": 0}
    assert ind.households(known_ward.ward.id, date(2030, 1, 1), date(2030, 3, 31))["with_certified"] == 2


def test_the_dashboard_breakdowns_and_the_province_view_count_as_the_indicators_do(known_ward):
    from lms.reports.services import ward_numbers

    a, b, s, e = known_ward.ward.id, known_ward.other.id, known_ward.start, known_ward.end
    parts = ind.breakdowns(a, s, e)
    assert parts["total"] == {"enrolled": 6, "completed": 4, "certified": 3}
    assert parts["audience"] == ind.by_audience(a, s, e) and parts["group"] == ind.by_group(a, s, e)
    assert parts["course"] == ind.by_course(a, s, e) and parts["competence"] == ind.by_competence(a, s, e)
    assert parts["trend"] == ind.trend(a, s, e)
    # The province view counts every ward in one grouped query per indicator: the same numbers.
    every = province(s, e)
    assert every[a] == ward_numbers(a, s, e, parts)
    assert every[a]["traders_certified"] == 1 and every[a]["attendance"]["elderly"] == 2
    assert every[b] == ward_numbers(b, s, e, ind.breakdowns(b, s, e))
    assert every[b]["total"] == {"enrolled": 1, "completed": 1, "certified": 1}


def test_a_wards_final_quiz_passes_count_the_same_read_from_its_people_or_from_the_period(known_ward, monkeypatch):
    """A ward among many reads its passes starting from its people; a ward that is most of its
    database reads the period's passes: the same answers either way."""
    from lms.reports import events

    w, s, e = known_ward.ward.id, known_ward.start, known_ward.end
    answers = {}
    for among_many in (True, False):
        monkeypatch.setattr(events, "_one_of_many", lambda ward_id, among_many=among_many: among_many)
        answers[among_many] = (ind.people_completed(w, s, e), ind.breakdowns(w, s, e))
    assert answers[True] == answers[False]
    assert answers[True][0] == 4 and answers[True][1]["total"] == {"enrolled": 6, "completed": 4, "certified": 3}
