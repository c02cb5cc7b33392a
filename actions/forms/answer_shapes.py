"""What an answer looks like: yes/no/unsure patterns, question shape, re-prompt texts."""

from __future__ import annotations

import re

from actions.forms.slots import SCHEDULE_FORM, SCREENING_FORM
from ldn_core import intents

QUESTION_INTENTS = frozenset(
    {
        *intents.QUESTION_TYPES,
        intents.FOLLOWUP,
        intents.OUT_OF_SCOPE,
        intents.HELP,
        intents.BOT_CHALLENGE,
    }
)
# Actions that do not end the user's turn (the form itself, slot extraction).
TURN_ACTIONS = frozenset({"action_listen", "action_extract_slots", None})

QUESTION_SHAPE = re.compile(
    r"^\s*(what|how|why|when|which|who|where|whats|what's|is|are|can|could|does|do|should|"
    r"will|would|may|tell me|explain|any)\b",
    re.I,
)
ONLY_NO = re.compile(
    r"^\s*(no|none|nope|nothing|nil|never|neither|n/?a|not at all|no,? none)\s*[.!]?\s*$", re.I
)
ONLY_YES = re.compile(
    r"^\s*(yes|yeah|yep|yup|y|correct|right|sure|indeed|affirmative)\s*[.!]?\s*$", re.I
)
UNSURE = re.compile(
    r"\b(maybe|perhaps|possibly|not sure|unsure|don'?t know|do not know|dunno|no idea|"
    r"unknown|uncertain|probably|might|can'?t remember|not certain)\b|^\s*\?+\s*$",
    re.I,
)
NEGATIVE_NUMBER = re.compile(r"(^|[\s(])[-−–]\s*\d")
STILL_TAKING = re.compile(
    r"\b(still|ongoing|continuing|not stopped|hasn'?t stopped|never stopped|currently)\b", re.I
)
CONTINUE = re.compile(
    r"^\s*(let'?s |ok,? |okay,? )?(continue|go on|carry on|resume|proceed|where were we|"
    r"back to (it|the (screening|questions|schedule)))\b",
    re.I,
)
STANDARD_WORDS = re.compile(r"\b(standard|normal|usual|default|regular|typical)\b", re.I)

# What each slot needs, said after a failed answer ("I could not read X as ...").
WHAT = {
    "opioid_status": "an answer about opioid use",
    "last_opioid_dose": "the date of the last dose",
    "liver_status": "a liver status",
    "procedure_plan": "an answer about the planned procedure",
    "schedule_start": "a start date",
    "schedule_variant": "a schedule variant",
}
# After two failures on the same slot: the kind of answer that works (format, not content).
EXPLAIN = {
    "opioid_status": (
        "To finish the screening I need the patient's opioid use: none, still taking (which "
        'drug), or stopped (which drug, and when). For example "no opioids", "still on '
        'tramadol" or "stopped oxycodone 3 days ago".'
    ),
    "last_opioid_dose": (
        "I need the day of the last opioid dose, today or earlier: for example "
        '"3 days ago", "last Sunday", "12 March" or "2026-03-12". If the patient still takes '
        'it, say "still taking".'
    ),
    "liver_status": (
        'I need the liver status in a few words, for example "LFTs normal", "LFTs raised", '
        '"acute hepatitis", "compensated cirrhosis" or "decompensated cirrhosis".'
    ),
    "procedure_plan": (
        'I need when the procedure is (for example "next Tuesday" or "12 March") and '
        'whether opioids will be needed ("yes" or "no"), or "no surgery planned".'
    ),
    "schedule_start": (
        "I need the day of the first dose, today or later: for example "
        '"today", "Monday", "1 Dec" or "2026-12-01".'
    ),
    "schedule_variant": 'I need "standard" or "low start" (for a sensitive patient).',
}
OFFER_STOP = 'If you would rather stop here, say "cancel".'
FORM_LABEL = {SCREENING_FORM: "screening", SCHEDULE_FORM: "titration schedule"}
