"""Who may see a ward's report: its coordinator and administrators; tried as an attacker."""
from __future__ import annotations

import pytest


def _urls(ward_id):
    q = "start=2026-01-01&end=2026-06-30"
    return [f"/reports/wards/{ward_id}?{q}", f"/reports/wards/{ward_id}/people?kind=certified&{q}",
            f"/reports/wards/{ward_id}/plan", f"/reports/wards/{ward_id}/report.xlsx?{q}",
            f"/reports/wards/{ward_id}/report.csv?{q}"]


def test_the_wards_coordinator_sees_the_dashboard_with_the_plans_numbers(client, auth, known_ward):
    auth.sign_in_directly(known_ward.coordinator)
    response = client.get(f"/reports/wards/{known_ward.ward.id}?start=2026-01-01&end=2026-06-30")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Phường Mẫu A" in html and "<svg" in html and "<table" in html
    assert "Người được chứng nhận kỹ năng số cơ bản" in html


def test_another_wards_coordinator_gets_404_everywhere(client, auth, known_ward, make_user):
    stranger = make_user(("coordinator",), ward=known_ward.other)
    auth.sign_in_directly(stranger)
    for url in _urls(known_ward.ward.id):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/reports/wards/{known_ward.ward.id}/plan", data={"pop-0-adults": "5"}).status_code == 404


@pytest.mark.parametrize("role", ["learner", "instructor"])
def test_learners_and_instructors_get_403(client, auth, known_ward, make_user, role):
    person = make_user((role,), ward=known_ward.ward)
    auth.sign_in_directly(person)
    for url in [*_urls(known_ward.ward.id), "/reports/province", "/reports/province.xlsx"]:
        assert client.get(url).status_code == 403, url


def test_a_coordinator_cannot_open_the_province_view(client, auth, known_ward):
    auth.sign_in_directly(known_ward.coordinator)
    assert client.get("/reports/province").status_code == 403


def test_visitors_are_sent_to_sign_in(client, known_ward):
    response = client.get(f"/reports/wards/{known_ward.ward.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_admin_opens_any_ward_and_a_missing_ward_is_404(client, auth, known_ward, make_user):
    admin = make_user(("admin",), ward=None)
    auth.sign_in_directly(admin)
    for url in _urls(known_ward.other.id):
        assert client.get(url).status_code == 200, url
    assert client.get("/reports/wards/999999").status_code == 404
