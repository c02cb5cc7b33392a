"""Reading a clinician's message before it is answered: noise removed, signals found.

Plain Python, no Rasa: the action server's router (``ldn_core.respond``) uses it, and so do
the benchmarks.
"""

from ldn_core.understanding.clean import CleanedMessage, clean_message
from ldn_core.understanding.signals import (
    already_on_ldn,
    asks_about_a_schedule,
    asks_about_dose,
    asks_about_evidence,
    asks_about_starting,
    asks_to_start_ldn,
    followup_request,
    is_question_shaped,
    labelled_question,
    mentions_a_patient,
    mentions_ldn,
    question_part,
    question_parts,
    relays_a_question,
)

__all__ = [
    "already_on_ldn",
    "asks_about_a_schedule",
    "asks_about_dose",
    "asks_about_evidence",
    "CleanedMessage",
    "asks_about_starting",
    "asks_to_start_ldn",
    "clean_message",
    "followup_request",
    "labelled_question",
    "is_question_shaped",
    "mentions_a_patient",
    "mentions_ldn",
    "question_part",
    "question_parts",
    "relays_a_question",
]
