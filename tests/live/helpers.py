from __future__ import annotations

import re

import sqlalchemy as sa

from lms.extensions import db
from lms.live.models import LiveSession


def start_live(client, hall, lesson=None) -> LiveSession:
    lesson = lesson or hall.course.active_lessons[0]
    response = client.post(f"/live/sessions/{hall.session.id}/start", data={"lesson_id": lesson.id})
    assert response.status_code == 302
    return db.session.scalar(sa.select(LiveSession).where(LiveSession.class_session_id == hall.session.id))


def screen_key(page: str) -> str:
    return re.search(r'data-key="([^"]+)"', page).group(1)


def current_code(live_id: int) -> str:
    from lms.live.services import join_code

    return join_code(live_id)
