"""The intent vocabulary: every intent name the NLU can return, in one place.

The names are those of ``domain.yml`` (``tests/core/test_intents.py`` keeps the two equal);
routing, clarification, the assistant and the forms use these constants instead of copies of
the strings, so a renamed or new intent is changed here and in the domain only.
"""

from __future__ import annotations

# Small talk and conversation control.
GREET = "greet"
GOODBYE = "goodbye"
THANKS = "thanks"
BOT_CHALLENGE = "bot_challenge"
HELP = "help"
AFFIRM = "affirm"
DENY = "deny"
CANCEL = "cancel"
OUT_OF_SCOPE = "out_of_scope"

# Kinds of question about LDN (their topics are retrieval hints: ldn_core.routing).
ASK_DOSING = "ask_dosing"
ASK_TITRATION = "ask_titration"
ASK_INDICATION = "ask_indication"
ASK_EFFICACY = "ask_efficacy"
ASK_MECHANISM = "ask_mechanism"
ASK_ADVERSE_EFFECTS = "ask_adverse_effects"
ASK_CONTRAINDICATIONS = "ask_contraindications"
ASK_INTERACTIONS = "ask_interactions"
ASK_PERIOPERATIVE = "ask_perioperative"
ASK_SPECIAL_POPULATIONS = "ask_special_populations"
ASK_FORMULATION = "ask_formulation"
ASK_NALTREXONE_CONFUSION = "ask_naltrexone_confusion"
FOLLOWUP = "followup"  # an elliptical question read with the previous one

# Patient-specific requests (the screening and schedule forms).
REQUEST_SCREENING = "request_screening"
REQUEST_SCHEDULE = "request_schedule"
INFORM = "inform"  # a patient fact, usually an answer inside the screening form

# Not in the domain: Rasa's FallbackClassifier predicts it when the NLU is unsure.
NLU_FALLBACK = "nlu_fallback"

QUESTION_TYPES = (
    ASK_DOSING,
    ASK_TITRATION,
    ASK_INDICATION,
    ASK_EFFICACY,
    ASK_MECHANISM,
    ASK_ADVERSE_EFFECTS,
    ASK_CONTRAINDICATIONS,
    ASK_INTERACTIONS,
    ASK_PERIOPERATIVE,
    ASK_SPECIAL_POPULATIONS,
    ASK_FORMULATION,
    ASK_NALTREXONE_CONFUSION,
)
DOSING = frozenset({ASK_DOSING, ASK_TITRATION})
SCREENING = frozenset({REQUEST_SCREENING, INFORM})

# Every intent of domain.yml, in its order.
DOMAIN = (
    GREET,
    GOODBYE,
    THANKS,
    BOT_CHALLENGE,
    HELP,
    AFFIRM,
    DENY,
    CANCEL,
    OUT_OF_SCOPE,
    *QUESTION_TYPES,
    FOLLOWUP,
    REQUEST_SCREENING,
    REQUEST_SCHEDULE,
    INFORM,
)
