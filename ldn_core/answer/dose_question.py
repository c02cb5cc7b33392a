"""A question about one particular LDN dose ("is 9 mg safe?", "can she go up to 6 mg?"):
the dosing rules place that dose against the usual range, with their citations, before the
retrieved passages. The rule decides; nothing about the dose is generated."""

from __future__ import annotations

import re

from ldn_core.answer.compose import RuleStatement
from ldn_core.extraction.measures import find_doses
from ldn_core.rules import DosingError, check_dose

# Words that ask for a judgement of the dose named, or a move to it.
_JUDGED = re.compile(
    r"\b(?:safe|ok|okay|fine|reasonable|too (?:high|low|much|little)|high|higher|max\w*|"
    r"go(?:ing)? up|increase|push|titrate (?:up )?to|dangerous|above|exceed\w*)\b",
    re.IGNORECASE,
)
NOT_LOW_DOSE = "dose_not_low_dose"
STATUS_TITLES = {
    "below_usual": "{dose:g} mg: below the usual range (dosing rule)",
    "usual": "{dose:g} mg: within the usual range (dosing rule)",
    "above_protocol": "{dose:g} mg: above the usual protocol (dosing rule)",
    "not_low_dose": "{dose:g} mg: not a low dose (dosing rule)",
}


# The word before a dose that makes it LDN's dose ("LDN 4.5 mg", "is 9 mg", "up to 6 mg"); any
# other word, a drug's name above all ("amlodipine 5 mg"), leaves the dose to that drug.
_LDN_DOSE_CONTEXT = frozenset(
    "ldn naltrexone it is are at of to from about take takes taking on dose doses start "
    "starting stay staying keep".split()
)
_WORD_BEFORE = re.compile(r"([a-z]+)\W*$", re.IGNORECASE)


def _is_ldn_dose(text: str, start: int) -> bool:
    before = _WORD_BEFORE.search(text[:start])
    return before is not None and before.group(1).lower() in _LDN_DOSE_CONTEXT


_SENTENCE_BREAK = re.compile(r"(?:[.!?]+(?!\d)|\n)\s*")  # not the point of "4.5"


def _judged_near(text: str, start: int) -> bool:
    """A judging word in the dose's sentence or the next one ("LDN 4.5 mg nocte. Is that ok?");
    not one two lines on, about something else ("...uses calcium carbonate. Is that ok?")."""
    bounds = [0] + [m.end() for m in _SENTENCE_BREAK.finditer(text)] + [len(text)]
    index = max(i for i, b in enumerate(bounds[:-1]) if b <= start)
    reach = bounds[min(index + 2, len(bounds) - 1)]
    return bool(_JUDGED.search(text[bounds[index] : reach]))


def asked_ldn_dose(text: str) -> float | None:
    """The one LDN dose a message asks to be judged ("is 9 mg safe?"), or None when it names
    no dose, several, one that belongs to another drug, or asks no judgement of it."""
    found = find_doses(text)
    doses = {dose.mg for dose in found}
    if len(doses) != 1 or not any(_judged_near(text, dose.start) for dose in found):
        return None
    if not all(_is_ldn_dose(text, dose.start) for dose in found):
        return None
    return doses.pop()


def asks_about_an_ldn_dose(text: str) -> bool:
    """A judged dose within low-dose range (50 mg is another product's question)."""
    statement = dose_statement(text)
    return statement is not None and statement.rule_id != NOT_LOW_DOSE


def dose_statement(text: str) -> RuleStatement | None:
    """The dosing rule's placement of the LDN dose a message asks about, if it asks."""
    dose = asked_ldn_dose(text)
    if dose is None:
        return None
    try:
        assessment = check_dose(dose)
    except DosingError:
        return None  # an absurd value: the question is not about an LDN dose
    return RuleStatement(
        STATUS_TITLES[assessment.status].format(dose=assessment.dose_mg),
        assessment.message,
        assessment.evidence,
        assessment.sources,
        assessment.rule_id,
    )
