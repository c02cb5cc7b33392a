import pytest

from ldn_core.routing import (
    Context,
    is_elliptical,
    names_only_an_entity,
    out_of_scope_is_a_followup,
    plan_query,
)


def test_full_new_question_resets_condition():
    previous = Context(topic="dosing", condition="fibromyalgia", question="dose for FM?")
    query = plan_query(
        "what is the mechanism of action of low-dose naltrexone in chronic pain?",
        "ask_mechanism",
        None,
        None,
        previous,
    )
    assert query.context.condition is None
    assert "mechanism" in query.topics


def test_condition_followup_keeps_topic_and_previous_question():
    previous = Context(topic="dosing", condition="fibromyalgia", question="starting dose of LDN?")
    query = plan_query("and in MS?", "followup", "multiple_sclerosis", None, previous)
    assert query.context.topic == "dosing"
    assert query.context.condition == "multiple_sclerosis"
    assert query.text.startswith("starting dose of LDN?")
    assert {"dosing", "multiple_sclerosis"} <= query.topics
    assert query.conditions == {"multiple_sclerosis"}


def test_short_new_topic_question_keeps_the_condition():
    previous = Context(topic="fibromyalgia", condition="fibromyalgia", question="LDN for FM?")
    query = plan_query("what about side effects?", "ask_adverse_effects", None, None, previous)
    assert query.context.condition == "fibromyalgia"
    assert query.conditions == {"fibromyalgia"}
    assert query.topics == {"adverse_effects"}


def test_population_followup_narrows_to_that_population():
    previous = Context(topic="dosing", question="what dose of LDN?")
    query = plan_query("same for kids?", "followup", None, "paediatric", previous)
    assert "paediatric" in query.topics
    assert "in children" in query.text
    assert query.context.population == "paediatric"


def test_special_population_question_targets_only_the_named_population():
    query = plan_query(
        "is LDN safe in pregnancy?", "ask_special_populations", None, "pregnancy", Context()
    )
    assert "pregnancy" in query.topics
    assert not {"hepatic", "renal", "paediatric"} & query.topics
    assert query.context.topic == "pregnancy"  # what a follow-up carries on from


def test_followup_without_history_still_searches_the_text():
    query = plan_query("and in MS?", "followup", "multiple_sclerosis", None, Context())
    assert query.text == "and in MS?"
    assert "multiple_sclerosis" in query.topics


def test_short_efficacy_question_stays_with_the_previous_condition():
    previous = Context(topic="crohns", condition="crohns", question="LDN for Crohn's?")
    query = plan_query("how well does it work?", "ask_efficacy", None, None, previous)
    assert "crohns" in query.topics and "efficacy" in query.topics
    assert "crohns" in query.text


AFTER_INTERACTIONS = Context(
    topic="interactions", question="does LDN interact with other medicines?"
)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("what about loperamide?", ["loperamide"]),
        ("and Imodium", ["Imodium"]),
        ("how about in pts on tramadol?", ["tramadol"]),
        ("same for MS", ["MS"]),
    ],
)
def test_a_bare_followup_naming_a_known_entity_is_not_out_of_scope(text, named):
    assert names_only_an_entity(text, named)
    assert out_of_scope_is_a_followup(text, named, AFTER_INTERACTIONS)


@pytest.mark.parametrize(
    ("text", "named", "previous"),
    [
        # a new question about the other drug, not the same question again
        ("what about oxycodone dosing?", ["oxycodone"], AFTER_INTERACTIONS),
        ("what about amoxicillin?", [], AFTER_INTERACTIONS),  # nothing the store knows
        ("loperamide for diarrhoea?", ["loperamide"], AFTER_INTERACTIONS),  # no opener
        ("what about loperamide?", ["loperamide"], Context()),  # nothing to follow up
    ],
)
def test_other_out_of_scope_messages_stay_out_of_scope(text, named, previous):
    assert not out_of_scope_is_a_followup(text, named, previous)


@pytest.mark.parametrize(
    "text, leans",
    [
        ("so why would a tiny dose help pain?", True),
        ("but what if she is pregnant and breastfeeding?", True),
        ("and in MS?", True),
        ("how long for?", True),
        # a full new question is not a follow-up, and "so" only opens a short one
        ("what is the evidence for LDN in painful diabetic neuropathy", False),
        ("so I have a 54 year old woman with fibromyalgia on duloxetine and tramadol, ok?", False),
    ],
)
def test_a_short_question_that_carries_on_from_the_answer_is_a_follow_up(text, leans):
    assert is_elliptical(text) is leans
