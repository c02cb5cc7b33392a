"""Answer composition: passages and rule results -> an Answer with numbered references."""

from ldn_core.answer.compose import (
    SCOPE_TEXT,
    compose_knowledge_answer,
    message,
    no_answer,
    out_of_scope,
)
from ldn_core.answer.model import DISCLAIMER, Answer, AnswerKind, Citation, Point

__all__ = [
    "DISCLAIMER",
    "SCOPE_TEXT",
    "Answer",
    "AnswerKind",
    "Citation",
    "Point",
    "compose_knowledge_answer",
    "message",
    "no_answer",
    "out_of_scope",
]
