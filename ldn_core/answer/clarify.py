"""Clarifying question when the NLU is unsure: buttons naming the likely topics."""

from __future__ import annotations

from collections.abc import Sequence

from ldn_core.answer.model import Answer, AnswerKind

# intent -> (button title in plain words, the question the button sends)
TOPIC_CHOICES: dict[str, tuple[str, str]] = {
    "ask_dosing": ("Dose and titration", "What is the usual starting dose and titration of LDN?"),
    "ask_titration": ("Titration", "How do I titrate LDN?"),
    "ask_indication": ("What LDN is used for", "What conditions is LDN used for?"),
    "ask_efficacy": ("How well it works", "How good is the evidence that LDN works?"),
    "ask_mechanism": ("How it works", "What is the mechanism of action of LDN?"),
    "ask_adverse_effects": ("Side effects", "What are the common side effects of LDN?"),
    "ask_contraindications": (
        "Opioids and contraindications",
        "Who should not take LDN, and how long must a patient be off opioids?",
    ),
    "ask_interactions": ("Drug interactions", "What drug interactions does LDN have?"),
    "ask_perioperative": ("Surgery", "Should LDN be stopped before surgery?"),
    "ask_special_populations": (
        "Liver, kidney, pregnancy",
        "Can LDN be used in liver disease, kidney disease or pregnancy?",
    ),
    "ask_formulation": ("Compounding", "How is LDN compounded and supplied?"),
    "ask_naltrexone_confusion": (
        "LDN vs 50 mg naltrexone",
        "How is LDN different from 50 mg naltrexone and naltrexone-bupropion?",
    ),
    "request_screening": ("Screen a patient", "Can my patient start LDN?"),
    "request_schedule": ("Titration schedule", "Give me an LDN titration schedule"),
}

MAX_CHOICES = 3


def clarify(intent_ranking: Sequence[tuple[str, float]]) -> Answer:
    """Offer up to three likely topics (in ranking order); generic ones when none fit."""
    choices = [TOPIC_CHOICES[name] for name, _ in intent_ranking if name in TOPIC_CHOICES]
    if not choices:
        choices = [
            TOPIC_CHOICES[k] for k in ("ask_dosing", "ask_indication", "ask_contraindications")
        ]
    return Answer(
        kind=AnswerKind.MESSAGE,
        intro="I am not sure what you are asking. Did you mean one of these?",
        buttons=tuple(choices[:MAX_CHOICES]),
    )
