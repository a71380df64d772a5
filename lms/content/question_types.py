"""The question-type registry: every type the app knows, looked up by the name a quiz file gives.

The interface every type answers to is lms.content.question_base (QuestionType); the types are in
choice_questions (single, multiple, true_false, picture) and scenario_questions (scenario).
A new type is one subclass registered with `register` and one template; nothing else changes.
Pure: no database, no web framework (lms.content is loaded by tools that have neither).
"""

from __future__ import annotations

from lms.content.choice_questions import MultipleChoice, PictureChoice, SingleChoice, TrueFalse
from lms.content.question_base import QuestionType
from lms.content.scenario_questions import Scenario


QUESTION_TYPES: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    """Make a question type known everywhere: the content check, loading, taking and drawing."""
    if not cls.name:
        raise ValueError("a question type needs a name")
    QUESTION_TYPES[cls.name] = cls()
    return cls


for _cls in (SingleChoice, MultipleChoice, TrueFalse, PictureChoice, Scenario):
    register(_cls)


def get_question_type(name: str) -> QuestionType:
    """The registered type called `name`; raises KeyError for an unknown type."""
    try:
        return QUESTION_TYPES[name]
    except (KeyError, TypeError):
        raise KeyError(f"unknown question type: {name!r}") from None
