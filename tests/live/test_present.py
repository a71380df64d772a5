"""The projector: slides split at ## sections, one screen drives, keys in a script file."""
from __future__ import annotations

from lms.extensions import db
from tests.live.conftest import SLIDES
from tests.live.helpers import screen_key, start_live


def test_projector_shows_every_slide_with_a_counter_and_no_inline_script(client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    response = client.get(f"/live/{live.id}/present")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('class="slide"') == len(SLIDES)
    assert "Mã OTP là gì" in page and "1</span> / 4" in page
    assert "/static/js/live.js" in page and "<script>" not in page and " style=" not in page
    from pathlib import Path

    import lms

    css = (Path(lms.__file__).parent / "static/css/live.css").read_text()
    assert "font-size: clamp(32px, 2.6vw, 64px)" in css  # 32 px at 1280 wide, 50 px at 1920


def test_slide_moves_and_phones_see_it(client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    key = screen_key(client.get(f"/live/{live.id}/present").get_data(as_text=True))
    response = client.post(f"/live/{live.id}/slide", data={"slide": "2", "key": key})
    assert response.status_code == 200 and response.json["slide"] == 2
    # Past the end stays on the last slide.
    assert client.post(f"/live/{live.id}/slide", data={"slide": "99", "key": key}).json["slide"] == 3


def test_a_second_projector_takes_over_and_the_first_is_told(client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    first = screen_key(client.get(f"/live/{live.id}/present").get_data(as_text=True))
    second = screen_key(client.get(f"/live/{live.id}/present").get_data(as_text=True))
    response = client.post(f"/live/{live.id}/slide", data={"slide": "1", "key": first})
    assert response.status_code == 409
    assert "Một màn chiếu khác đang điều khiển" in response.json["message"]
    screen = client.get(f"/live/{live.id}/screen?key={first}").get_data(as_text=True)
    assert "Một màn chiếu khác đang điều khiển" in screen
    assert client.post(f"/live/{live.id}/slide", data={"slide": "1", "key": second}).status_code == 200
    db.session.refresh(live)
    assert live.slide == 1


def test_projector_of_another_cohort_is_not_found(client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    auth.sign_in_directly(hall.other_instructor)
    for url in (f"/live/{live.id}", f"/live/{live.id}/present", f"/live/{live.id}/screen",
                f"/live/{live.id}/summary"):
        assert client.get(url).status_code == 404
    assert client.post(f"/live/{live.id}/slide", data={"slide": "1", "key": "x"}).status_code == 404
    auth.sign_in_directly(hall.learner)
    assert client.get(f"/live/{live.id}/present").status_code == 403
