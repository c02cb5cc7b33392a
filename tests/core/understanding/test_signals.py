"""Signals the router weighs: LDN named, follow-up requests, question shape, starting."""

from __future__ import annotations

import pytest

from ldn_core.understanding import (
    already_on_ldn,
    asks_about_starting,
    asks_to_start_ldn,
    followup_request,
    is_question_shaped,
    mentions_a_patient,
    mentions_ldn,
    question_part,
    question_parts,
    relays_a_question,
)
from ldn_core.understanding.signals import run_on_tail


@pytest.mark.parametrize(
    "text", ["ldn dose?", "Low-dose naltrexone in MS", "naltrexon for fibro", "Contrave and LDN"]
)
def test_ldn_is_recognised(text):
    assert mentions_ldn(text)


@pytest.mark.parametrize("text", ["gabapentin dose for PHN", "best biologic for Crohn's?"])
def test_other_drugs_are_not_ldn(text):
    assert not mentions_ldn(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("source for that?", "sources"),
        ("refs?", "sources"),
        ("can you give me the references", "sources"),
        ("where does that come from?", "sources"),
        ("what's that based on", "sources"),
        ("why?", "why"),
        ("but why", "why"),
        ("how come?", "why"),
        ("was that a randomised trial?", "evidence"),
        ("and is any of this from a placebo-controlled study", "evidence"),
        ("how solid is the data?", "evidence"),
        ("what sort of evidence is that", "evidence"),
    ],
)
def test_followup_requests(text, kind):
    assert followup_request(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "what is the source of LDN's effect in fibromyalgia and how strong is the evidence overall",
        "does LDN work for CRPS",
        "thanks",
        "what is the evidence for LDN in corneal pain?",
        "how strong is the evidence for LDN in Crohn's disease",
    ],
)
def test_real_questions_are_not_followup_requests(text):
    assert followup_request(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "is LDN dosed by weight?",
        "do the vivid dreams go away",
        "can I start tonight",
        "pt on tramadol, ok to start LDN",
    ],
)
def test_question_shape(text):
    assert is_question_shaped(text)


def test_a_statement_is_not_question_shaped():
    assert not is_question_shaped("LDN titration schedule")


@pytest.mark.parametrize(
    "text",
    [
        "can I start LDN",
        "considering LDN instead of pregabalin",
        "wants LDN over a biologic, reasonable",
        "ok to restart after surgery",
        "requests LDN after reading online",
        "pt asking for LDN",
    ],
)
def test_asks_about_starting(text):
    assert asks_about_starting(text)


def test_a_mechanism_question_does_not_ask_about_starting():
    assert not asks_about_starting("how does LDN work")


def test_the_question_of_a_chart_paste_is_found():
    chart = (
        "HPI: 58M PDN both feet, duloxetine 60 od, no opioids ever. eGFR 70.\n"
        "Q: what dose of LDN would you start at?"
    )
    assert question_part(chart) == "what dose of LDN would you start at?"
    long_case = (
        "62F with fibromyalgia for a decade, tried amitriptyline and pregabalin without benefit, "
        "normal LFTs. Would LDN be reasonable for her?"
    )
    assert question_part(long_case) == "Would LDN be reasonable for her?"


@pytest.mark.parametrize("text", ["what is the max dose of LDN?", "a short one: dose?"])
def test_a_short_message_is_searched_whole(text):
    assert question_part(text) is None


def test_a_relayed_question_needs_a_particular_patient():
    assert relays_a_question("my pt asks whether she can drink alcohol on it")
    assert relays_a_question("her husband wants to know why the filler matters")
    assert not relays_a_question("people often ask how it works")


@pytest.mark.parametrize(
    "text",
    [
        "A patient's wife asked me on the ward: 'does it ever put people in hospital?'",
        "one of our patients rang to ask whether the dreams wear off",
        "Message from a patient, translated by an app: 'how can such a small dose stop pain?'",
    ],
)
def test_a_question_passed_on_by_someone_is_relayed(text):
    assert relays_a_question(text)


def test_a_general_question_about_a_patient_is_not_relayed():
    assert not relays_a_question("can a patient on methadone take LDN?")


@pytest.mark.parametrize(
    "text",
    [
        "62M, PHN, no opioids, eGFR 70. LDN?",
        "widespread pain, off tramadol 3 weeks, LFTs fine - LDN ok?",
        "50F, MS, no opioid use for a month - go ahead?",
        "45F, FM, no opioids. can LDN be started",
    ],
)
def test_a_case_in_shorthand_asks_about_starting(text):
    assert asks_about_starting(text)


@pytest.mark.parametrize(
    "text",
    ["how common are headaches on LDN?", "what is LDN?", "her son wants to know what LDN is"],
)
def test_a_question_about_ldn_is_not_a_start_request(text):
    assert not asks_about_starting(text)


@pytest.mark.parametrize(
    "text",
    [
        "Current meds:\nsertraline 100 mg\nLDN 3 mg nocte",
        "DHx: LDN 4.5 mg ON, omeprazole",
        "she asks if wine is ok while she is on the LDN",
        "he dropped his LDN capsules down the sink, can he skip a night",
        "what happens if she stops the LDN suddenly?",
    ],
)
def test_a_medication_list_or_an_article_still_means_on_ldn(text):
    assert already_on_ldn(text)


def test_a_plan_to_start_ldn_is_not_being_on_it():
    assert not already_on_ldn("Meds: amitriptyline 10 mg\nPlan: start LDN 1.5 mg")
    assert not already_on_ldn("42F on co-codamol since Monday, wants to start her LDN today")


@pytest.mark.parametrize(
    "text",
    [
        "pt wants kratom to get off his opioids - legal here? I'm not asking about naltrexone",
        "how would you taper oxycodone 40 mg/day over 8 weeks, no LDN planned, just a wean",
        "LDN not planned - what about duloxetine for her?",
        "other than LDN, what helps fibromyalgia sleep?",
    ],
)
def test_ldn_named_only_to_set_it_aside_is_not_an_ldn_question(text):
    assert not mentions_ldn(text)


@pytest.mark.parametrize(
    "text", ["no LDN yet, can she start?", "she is not on LDN", "not on LDN yet - start it?"]
)
def test_a_patient_not_yet_on_ldn_is_still_an_ldn_question(text):
    assert mentions_ldn(text)


def test_a_labelled_question_is_the_clinicians_own_statement_of_what_is_asked():
    from ldn_core.understanding import labelled_question

    note = "History: 23F, hEDS + FM, opioid free, LFT normal. Mum takes LDN.\nQ: same dose as mum?"
    assert labelled_question(note) == "same dose as mum?"
    assert labelled_question("what dose of LDN for MS, and how fast should I go up?") is None


def test_a_question_field_of_a_pasted_record_is_its_question():
    record = (
        '{"patient": "F, 50", "dx": "fibromyalgia, IBS", "drug": "LDN 4.5mg nocte since March", '
        '"question": "how long a trial before we call it a failure?"}'
    )
    assert question_part(record).startswith("how long a trial before we call it a failure?")


def test_the_parts_of_a_message_are_searched_on_their_own():
    assert question_parts("his wife asks whether he can crush the capsules into yoghurt") == [
        "he can crush the capsules into yoghurt"
    ]
    assert question_parts("Does LDN affect sleep? Should it go in the morning?") == [
        "Does LDN affect sleep?",
        "Should it go in the morning?",
    ]
    assert question_parts("what dose of LDN for MS?") == []


@pytest.mark.parametrize(
    "text, starts",
    [
        ("58M with MS, wants LDN - ok to combine with baclofen?", True),
        ("ok to add LDN?", True),
        ("now starting bupropion, ok together with her LDN?", False),
        ("is LDN safe to take with her warfarin", False),
    ],
)
def test_starting_ldn_itself_is_told_from_another_drugs_start(text, starts):
    assert asks_to_start_ldn(text) is starts


@pytest.mark.parametrize(
    "text, words",
    [
        (
            "pt e-mailed: 'the chemist sent liquid instead of tablets, how many ml for 2 mg?'",
            "the chemist sent liquid instead of tablets, how many ml for 2 mg?",
        ),
        (
            'wife: "he has been on it six weeks and feels nothing, should he go higher"',
            "he has been on it six weeks and feels nothing, should he go higher",
        ),
        (
            "[18:02] Sam: evening\n[18:03] Sam: can I take it in the morning instead",
            "evening can I take it in the morning instead",
        ),
    ],
)
def test_a_message_passed_on_in_its_senders_words_is_relayed(text, words):
    assert relays_a_question(text)
    assert words in question_parts(text)


def test_a_quoted_label_or_a_list_is_not_a_relayed_message():
    assert not relays_a_question("the label says: 'do not use with opioids'")
    assert not relays_a_question("Meds: sertraline 50 mg, omeprazole 20 mg")


def test_a_pasted_chart_is_about_its_patient():
    assert mentions_a_patient("DH: pregabalin 75 mg bd\nPMH: FM\nCan LDN be started?")
    assert not mentions_a_patient("Can LDN be started in fibromyalgia?")


def test_a_long_message_without_sentence_breaks_is_read_by_its_last_words():
    transcript = (
        "hello its Gwen from number 4 ringing about my dad he takes the low dose naltrexone "
        "for his fibro and since the chemist changed the make he gets headaches every "
        "morning is it the new capsules or should he go back"
    )
    tail = run_on_tail(transcript)
    assert tail is not None and tail.endswith("should he go back")
    assert tail in question_parts(transcript)


def test_a_punctuated_or_short_message_has_no_run_on_tail():
    assert run_on_tail("Dad takes LDN. Since the brand changed he has headaches. Why?") is None
    assert run_on_tail("can he take LDN with his morning tea") is None


@pytest.mark.parametrize(
    ("text", "about_a_patient"),
    [
        ("Zomorph 10mg bd, gabapentin 300 tds. Can LDN be added?", True),
        ("oxycodone 5mg q6h prn - LDN?", True),
        ("is LDN 4.5 mg nocte the usual dose?", False),
        ("naltrexone 50 mg od is for alcohol, right?", False),
    ],
)
def test_a_drug_with_dose_and_frequency_is_someones_prescription(text, about_a_patient):
    assert mentions_a_patient(text) is about_a_patient


def test_a_question_quoted_whole_is_searched_on_its_own():
    text = "front desk note: 'can the LDN be crushed into yoghurt for her?' - pls advise"
    assert "can the LDN be crushed into yoghurt for her?" in question_parts(text)
    # apostrophes inside words open no quotation
    assert question_parts("it's fine isn't it? she's ok") == []


@pytest.mark.parametrize(
    ("text", "about"),
    [
        ("the titration schedule, which paper is it from?", True),
        ("is there a taper schedule in your sources?", True),
        ("titration schedule starting Monday", False),
        ("can you give me a schedule starting tomorrow?", False),
    ],
)
def test_a_question_about_a_schedule_is_told_from_a_request(text, about):
    from ldn_core.understanding import asks_about_a_schedule

    assert asks_about_a_schedule(text) is about
