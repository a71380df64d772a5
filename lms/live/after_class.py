"""After the class: who came, how the room answered each question, and who needs help."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from lms.accounts.models import User
from lms.extensions import db
from lms.live.models import LiveQuestion, LiveResponse, LiveSession
from lms.live.questions import counts, options
from lms.live.services import room


@dataclass
class Summary:
    present: list[User]
    absent: list[User]
    questions: list[dict]
    need_help: list[tuple[User, str]]


def summary(live: LiveSession) -> Summary:
    people = room(live)
    present = [p for p, here in people if here]
    absent = [p for p, here in people if not here]
    asked = db.session.scalars(sa.select(LiveQuestion).where(LiveQuestion.live_session_id == live.id)
                               .order_by(LiveQuestion.id)).all()
    wrong: dict[int, int] = {}
    questions = []
    for item in asked:
        tally, total = counts(item)
        right = 0
        for user_id, correct in db.session.execute(sa.select(LiveResponse.user_id, LiveResponse.correct)
                                                   .where(LiveResponse.live_question_id == item.id)):
            if correct:
                right += 1
            else:
                wrong[user_id] = wrong.get(user_id, 0) + 1
        questions.append({"asked": item, "options": options(item.question), "tally": tally, "total": total,
                          "right": right, "answer": list(item.question.answer or ())})
    need_help: list[tuple[User, str]] = [(p, "absent") for p in absent]
    threshold = 2 if len(asked) >= 3 else 1
    need_help += [(p, "wrong") for p in present if wrong.get(p.id, 0) >= threshold]
    return Summary(present, absent, questions, need_help)
