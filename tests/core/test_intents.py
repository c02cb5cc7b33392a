"""The intent vocabulary (ldn_core/intents.py) is exactly the domain's, and the code uses it."""

from __future__ import annotations

import yaml

from ldn_core import intents
from ldn_core.answer.clarify import TOPIC_CHOICES
from ldn_core.respond import SMALLTALK_RESPONSES
from ldn_core.routing import INTENT_TOPICS
from ldn_core.settings import REPO_ROOT


def domain_intents() -> list[str]:
    domain = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return [i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]]


def nlu_intents() -> set[str]:
    found = set()
    for path in (REPO_ROOT / "data").rglob("*.yml"):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if "intent" in item:
                found.add(item["intent"])
    return found


def constants() -> dict[str, str]:
    return {k: v for k, v in vars(intents).items() if k.isupper() and isinstance(v, str)}


def test_vocabulary_equals_the_domain_intents_in_order():
    assert list(intents.DOMAIN) == domain_intents()


def test_every_constant_is_a_domain_intent_or_rasa_fallback_and_none_is_repeated():
    values = list(constants().values())
    assert len(values) == len(set(values))
    assert set(values) == set(domain_intents()) | {intents.NLU_FALLBACK}


def test_the_nlu_data_trains_exactly_the_domain_intents():
    assert nlu_intents() == set(domain_intents())


def test_question_types_are_the_ask_intents():
    assert set(intents.QUESTION_TYPES) == {i for i in domain_intents() if i.startswith("ask_")}


def test_routing_clarification_and_small_talk_name_only_known_intents():
    known = set(intents.DOMAIN)
    assert set(INTENT_TOPICS) == set(intents.QUESTION_TYPES)
    assert set(TOPIC_CHOICES) <= known
    assert set(SMALLTALK_RESPONSES) <= known
