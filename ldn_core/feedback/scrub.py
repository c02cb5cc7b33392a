"""Mask patient details in free text before a curator sees it: ages, dates, names, record
numbers, phone numbers and e-mail addresses.

Why a small module rather than a library: the maintained candidates do not work offline here
(scrubadub's name detection and philter-lite need NLTK data downloaded at run time; Presidio
needs a spaCy model) and none knows clinical shorthand such as "71M" or "44F". This module is
rule-based and deliberately over-masks: a curator loses a little context, a patient loses no
privacy. Clinical quantities (doses, durations such as "3 days ago", scores) are kept because
the report needs them and they identify no one.
"""

from __future__ import annotations

import re

AGE, DATE, NAME, ID, CONTACT = "[AGE]", "[DATE]", "[NAME]", "[ID]", "[CONTACT]"

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"

# Order matters: contacts and record numbers first (their digits would otherwise be read as
# dates or ages), then dates, then ages, then names.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"), CONTACT),
    # "MRN 1234567", "NHS number 943 476 5919", "hospital no: AB123456", "pt #00123"
    (
        re.compile(
            r"\b(?:(?:MRN|NHS|CHI|URN|UR|hospital|record|chart|case|ID|identifier)"
            r"(?:\s*(?:no\.?|number|num|#|id))?|(?:patient|pt)\s*(?:no\.?|number|#|id))"
            r"\s*[:#]?\s*[A-Z]{0,4}-?\d[\d -]{2,16}\d\b",
            re.IGNORECASE,
        ),
        ID,
    ),
    (
        re.compile(
            r"(?<![\w.])(?:\+\d{1,3}[\s-]?)?(?:\(\d{2,5}\)[\s-]?)?\d{3,5}[\s-]\d{3,4}[\s-]?\d{3,4}\b"
        ),
        CONTACT,
    ),
    (re.compile(r"(?<![\w.])\d{6,}(?![\w.])"), ID),
    (re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b"), DATE),
    (re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"), DATE),
    (re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTHS}(?:,?\s+\d{{4}})?\b", re.IGNORECASE), DATE),
    (re.compile(rf"\b{_MONTHS}\s+{_DAY}(?:,?\s+\d{{4}})?\b", re.IGNORECASE), DATE),
    (re.compile(rf"\b{_MONTHS}\s+\d{{4}}\b", re.IGNORECASE), DATE),
    # "45-year-old", "45 yrs old", "45 yo", "45 y/o", "aged 45", "age: 45"
    (
        re.compile(
            r"\b\d{1,3}\s*-?\s*(?:years?|yrs?)\s*-?\s*old\b"
            r"|\b\d{1,3}\s*(?:yo|y/o|y\.o\.)(?!\w)"
            r"|\b(?:aged?|age of)\s*:?\s*\d{1,3}\b",
            re.IGNORECASE,
        ),
        AGE,
    ),
    # clinical shorthand "71M", "44F", "44 F", "60yoF" (capital letter only: "50 mg" is a dose)
    (re.compile(r"\b\d{1,3}\s?(?:yo)?[FM](?!\w)"), AGE),
    (
        re.compile(
            r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sr|Nurse)\.?\s+(?:[A-Z]\.\s*)*[A-Z][a-zA-Z'-]+"
            r"(?:\s+[A-Z][a-zA-Z'-]+)?"
        ),
        NAME,
    ),
    (
        re.compile(
            r"(?i:\b(?:named|called|name is|name:|name =|patient|pt)\s+)"
            r"[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)*"
        ),
        NAME,
    ),
)
# Words after "patient"/"pt" that are not names (start of a sentence, conditions, drugs).
_NOT_NAMES = re.compile(
    r"^(?:patient|pt)\s+(?:With|On|Has|Had|Is|Was|Taking|Who|And|In|For|Of|The|A|An|"
    r"LDN|CRPS|MS|FM|Crohn'?s?|IBD)\b"
)


def _name_or_keep(match: re.Match[str]) -> str:
    text = match.group(0)
    lead = re.match(r"(?i)(named|called|name is|name:|name =|patient|pt)\s+", text)
    if lead and _NOT_NAMES.match(text.replace(lead.group(1), lead.group(1).lower(), 1)):
        return text
    return (lead.group(0) if lead else "") + NAME


def scrub(text: str | None) -> str:
    """``text`` with patient details replaced by [AGE], [DATE], [NAME], [ID], [CONTACT]."""
    if not text:
        return ""
    out = str(text)
    for pattern, token in _PATTERNS:
        out = pattern.sub(_name_or_keep if token == NAME else token, out)
    return out
