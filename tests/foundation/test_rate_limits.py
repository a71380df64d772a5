"""Rate limits sit on the views they guard and hold there; other pages are never limited."""


def test_guessing_sign_in_card_links_is_stopped_after_300_a_minute(client):
    statuses = {client.get(f"/s/not-a-real-card-{i}").status_code for i in range(300)}
    assert 429 not in statuses
    response = client.get("/s/not-a-real-card-300")
    assert response.status_code == 429
    assert "Thử lại sau ít phút" in response.get_data(as_text=True)


def test_pages_without_a_limit_are_never_refused(client, catalogue):
    for _ in range(350):
        assert client.get("/courses/").status_code == 200

