"""Clarifying question when the NLU is unsure: buttons naming the likely topics."""

from __future__ import annotations

from collections.abc import Sequence

from ldn_core import intents
from ldn_core.answer.model import Answer, AnswerKind

# intent -> (button title in plain words, the question the button sends)
TOPIC_CHOICES: dict[str, tuple[str, str]] = {
    intents.ASK_DOSING: (
        "Dose and titration",
        "What is the usual starting dose and titration of LDN?",
    ),
    intents.ASK_TITRATION: ("Titration", "How do I titrate LDN?"),
    intents.ASK_INDICATION: ("What LDN is used for", "What conditions is LDN used for?"),
    intents.ASK_EFFICACY: ("How well it works", "How good is the evidence that LDN works?"),
    intents.ASK_MECHANISM: ("How it works", "What is the mechanism of action of LDN?"),
    intents.ASK_ADVERSE_EFFECTS: ("Side effects", "What are the common side effects of LDN?"),
    intents.ASK_CONTRAINDICATIONS: (
        "Opioids and contraindications",
        "Who should not take LDN, and how long must a patient be off opioids?",
    ),
    intents.ASK_INTERACTIONS: ("Drug interactions", "What drug interactions does LDN have?"),
    intents.ASK_PERIOPERATIVE: ("Surgery", "Should LDN be stopped before surgery?"),
    intents.ASK_SPECIAL_POPULATIONS: (
        "Liver, kidney, pregnancy",
        "Can LDN be used in liver disease, kidney disease or pregnancy?",
    ),
    intents.ASK_FORMULATION: ("Compounding", "How is LDN compounded and supplied?"),
    intents.ASK_NALTREXONE_CONFUSION: (
        "LDN vs 50 mg naltrexone",
        "How is LDN different from 50 mg naltrexone and naltrexone-bupropion?",
    ),
    intents.REQUEST_SCREENING: ("Screen a patient", "Can my patient start LDN?"),
    intents.REQUEST_SCHEDULE: ("Titration schedule", "Give me an LDN titration schedule"),
}

MAX_CHOICES = 3


def clarify(intent_ranking: Sequence[tuple[str, float]]) -> Answer:
    """Offer up to three likely topics (in ranking order); generic ones when none fit."""
    choices = [TOPIC_CHOICES[name] for name, _ in intent_ranking if name in TOPIC_CHOICES]
    if not choices:
        choices = [
            TOPIC_CHOICES[k]
            for k in (intents.ASK_DOSING, intents.ASK_INDICATION, intents.ASK_CONTRAINDICATIONS)
        ]
    return Answer(
        kind=AnswerKind.MESSAGE,
        intro="I am not sure what you are asking. Did you mean one of these?",
        buttons=tuple(choices[:MAX_CHOICES]),
    )
