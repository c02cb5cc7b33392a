"""From a classified question (intent, entities, previous context) to a retrieval query.

The NLU intent says what kind of question it is; here that becomes the knowledge topics to
favour, the condition to favour, and, for elliptical follow-ups ("and in MS?"), a query
that carries the previous question along.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ldn_core import intents
from ldn_core.followup import names_a_subject

INTENT_TOPICS: dict[str, frozenset[str]] = {
    intents.ASK_DOSING: frozenset({"dosing"}),
    intents.ASK_TITRATION: frozenset({"dosing"}),
    intents.ASK_INDICATION: frozenset(),
    intents.ASK_EFFICACY: frozenset({"efficacy"}),
    intents.ASK_MECHANISM: frozenset({"mechanism"}),
    intents.ASK_ADVERSE_EFFECTS: frozenset({"adverse_effects"}),
    intents.ASK_CONTRAINDICATIONS: frozenset({"contraindications", "opioids"}),
    intents.ASK_INTERACTIONS: frozenset({"interactions", "opioids"}),
    intents.ASK_PERIOPERATIVE: frozenset({"perioperative"}),
    intents.ASK_SPECIAL_POPULATIONS: frozenset({"hepatic", "renal", "pregnancy", "paediatric"}),
    intents.ASK_FORMULATION: frozenset({"formulations"}),
    intents.ASK_NALTREXONE_CONFUSION: frozenset({"other_naltrexone"}),
}

CONDITION_TOPIC: dict[str, str] = {
    "fibromyalgia": "fibromyalgia",
    "crps": "crps",
    "diabetic_neuropathy": "diabetic_neuropathy",
    "corneal_pain": "corneal_pain",
    "low_back_pain": "low_back_pain",
    "chronic_pain": "chronic_pain",
    "crohns": "crohns",
    "ibd": "crohns",
    "multiple_sclerosis": "multiple_sclerosis",
    "alcohol_use_disorder": "other_naltrexone",
    "opioid_use_disorder": "other_naltrexone",
    "obesity": "other_naltrexone",
}

POPULATION_TOPIC: dict[str, str] = {
    "paediatric": "paediatric",
    "pregnancy": "pregnancy",
    "lactation": "pregnancy",
    "hepatic": "hepatic",
    "renal": "renal",
}

POPULATION_WORDS: dict[str, str] = {
    "paediatric": "in children",
    "pregnancy": "in pregnancy",
    "lactation": "during breastfeeding",
    "hepatic": "in liver disease",
    "renal": "in kidney disease",
    "elderly": "in older patients",
}

# Question types whose answer depends on the condition ("how well does it work?" after a
# Crohn's question means in Crohn's); for the others a carried condition only nudges ranking.
CONDITION_LED_INTENTS = frozenset(
    {intents.ASK_INDICATION, intents.ASK_EFFICACY, intents.ASK_DOSING, intents.ASK_TITRATION}
)

ELLIPTICAL_OPENERS = ("and ", "what about", "how about", "same for", "also ", "what of")
# A short question opening with one of these carries on from the answer just given ("so why
# would a tiny dose help?", "but what if she is pregnant?"); not openers of a bare "what about
# X?", so a new question about another drug is still not excused by them.
CONTINUATION_OPENERS = ("so ", "but ", "ok so ", "ok and ", "then ")
SHORT_QUESTION_WORDS = 6
# Words that may surround the named drug/condition in a bare follow-up ("and in pts on X?").
FOLLOWUP_FILLER = frozenset(
    "in for with on of the a an my our pts pt patients patient people those then too".split()
)


@dataclass(frozen=True)
class Context:
    """What the conversation was about, kept in slots between turns."""

    topic: str | None = None
    condition: str | None = None
    population: str | None = None
    question: str | None = None


@dataclass(frozen=True)
class Query:
    text: str
    topics: frozenset[str]
    conditions: frozenset[str]
    context: Context  # the context to store for the next turn


# "is that in men too?", "how big was it", "should she stop?": a short question that points
# back at what was just discussed.
POINTS_BACK = re.compile(
    r"\b(?:that|this|those|these|it|its|they|them|she|he|her|him|then|too|also|same|one)\b",
    re.IGNORECASE,
)
POINTING_QUESTION_WORDS = 12


def is_elliptical(text: str) -> bool:
    """A follow-up that leans on the previous question: an opener ("and in MS?"), a very short
    question, or a short one that points back at it ("how big was that trial?") or carries on
    from it ("so why would a tiny dose help?")."""
    lowered = text.lower().strip()
    words = len(lowered.split())
    return (
        lowered.startswith(ELLIPTICAL_OPENERS)
        or words <= SHORT_QUESTION_WORDS
        or (
            words <= POINTING_QUESTION_WORDS
            and (bool(POINTS_BACK.search(lowered)) or lowered.startswith(CONTINUATION_OPENERS))
        )
    )


def plan_query(
    text: str,
    intent: str | None,
    condition: str | None,
    population: str | None,
    previous: Context,
) -> Query:
    """Decide what to search for.

    - ``followup`` ("and in MS?", "same for kids?"): the previous question's topic and text
      carry over; a new condition or population replaces the old one.
    - a short question of a new type ("what about side effects?") keeps the previous
      condition; a full new question resets the context.
    """
    is_followup = intent == intents.FOLLOWUP
    elliptical = is_followup or is_elliptical(text)
    carried_condition = previous.condition if elliptical else None
    new_condition = condition or (None if population else carried_condition)
    new_population = population or (previous.population if is_followup else None)

    if is_followup:
        topic = previous.topic
        base = previous.question or ""
    else:
        topics_for_intent = INTENT_TOPICS.get(intent or "", frozenset())
        topic = next(iter(sorted(topics_for_intent)), None) if topics_for_intent else None
        base = ""

    topics: set[str] = set(INTENT_TOPICS.get(intent or "", frozenset()))
    if is_followup and previous.topic:
        topics.add(previous.topic)
    # A condition named now (or carried by an explicit follow-up) brings its topic along; a
    # condition merely carried over to a new kind of question ("what about side effects?")
    # only nudges the ranking, so the new question's topic leads.
    condition_leads = bool(condition) or is_followup or intent in CONDITION_LED_INTENTS
    if condition_leads and new_condition and new_condition in CONDITION_TOPIC:
        topics.add(CONDITION_TOPIC[new_condition])
    if new_population and new_population in POPULATION_TOPIC:
        if intent == intents.ASK_SPECIAL_POPULATIONS:
            # the population names the one relevant topic among the four
            topics -= INTENT_TOPICS[intents.ASK_SPECIAL_POPULATIONS]
            if not is_followup:
                topic = POPULATION_TOPIC[new_population]  # remembered for the next turn
        topics.add(POPULATION_TOPIC[new_population])

    query_text = text
    if is_followup and base:
        extra = POPULATION_WORDS.get(population or "", "") if population else ""
        query_text = f"{base} {text} {extra}".strip()
    elif (
        carried_condition
        and not condition
        and intent in CONDITION_LED_INTENTS
        and not names_a_subject(text)  # "what about side effects?" asks about those
    ):
        query_text = f"{text} ({carried_condition.replace('_', ' ')})"

    conditions = frozenset({new_condition}) if new_condition else frozenset()
    remembered = Context(
        topic=(topic or previous.topic) if is_followup else topic,
        condition=new_condition,
        population=new_population,
        question=(previous.question if is_followup and previous.question else text),
    )
    return Query(query_text, frozenset(topics), conditions, remembered)


def names_only_an_entity(text: str, entity_texts: list[str]) -> bool:
    """ "what about loperamide?", "and in MS?": an opener, a known drug/condition, nothing else."""
    lowered = text.lower().strip()
    opener = next((o for o in ELLIPTICAL_OPENERS if lowered.startswith(o)), None)
    if opener is None or not entity_texts:
        return False
    rest = lowered[len(opener) :]
    for named in entity_texts:
        rest = rest.replace(named.lower(), " ")
    return all(word in FOLLOWUP_FILLER for word in re.findall(r"[a-z0-9']+", rest))


def out_of_scope_is_a_followup(text: str, entity_texts: list[str], previous: Context) -> bool:
    """Whether a message the NLU read as out of scope is really a bare follow-up.

    Right after a clinical question, "what about loperamide?" asks the same question about
    loperamide; read alone it looks like a question about another drug. Only a message made of
    an opener and a drug, condition or population the NLU recognised qualifies, so a new
    question ("what about oxycodone dosing?") stays out of scope.
    """
    return previous.question is not None and names_only_an_entity(text, entity_texts)
