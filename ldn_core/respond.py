"""From any message to a reply: retrieval first, the NLU's reading as a hint.

No single classifier decision may throw a clinical question away. Every message outside a
form comes here (``actions/respond.py``), and:

1. noise is removed for understanding (``ldn_core.understanding.clean``);
2. a request about the previous answer ("source for that?", "why?") is answered from it;
3. small talk gets its canned reply only when nothing clinical is left in the message;
4. the store is searched (NLU intent and entities only add topics to favour);
5. patient facts in the message (an opioid, a liver problem, a planned operation...) add a
   screening verdict, with what is still unconfirmed, and the evidence for the named
   condition; a safety verdict leads, otherwise the direct answer does;
6. a question is declined only when the store has no good match AND nothing marks it as an
   LDN question (no mention of LDN or naltrexone, no follow-up context, no patient facts).

Diagram and thresholds: docs/routing.md.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from ldn_core import intents
from ldn_core.answer import Answer, Point, compose_knowledge_answer, no_answer, out_of_scope
from ldn_core.answer.compose import RuleStatement
from ldn_core.answer.dose_question import asked_ldn_dose, asks_about_an_ldn_dose, dose_statement
from ldn_core.answer.merge import merge_answers
from ldn_core.followup import leans_on_previous
from ldn_core.knowledge.short_answers import ShortAnswer, short_answer_for
from ldn_core.patient import PatientFacts
from ldn_core.retrieval.retriever import RetrievalResult
from ldn_core.routing import (
    CONDITION_TOPIC,
    ELLIPTICAL_OPENERS,
    POINTS_BACK,
    POPULATION_TOPIC,
    Context,
    Query,
    is_elliptical,
)
from ldn_core.rules import Verdict
from ldn_core.rules.screening import screening_rules
from ldn_core.understanding import (
    already_on_ldn,
    asks_about_dose,
    asks_about_evidence,
    asks_about_starting,
    asks_to_start_ldn,
    clean_message,
    followup_request,
    is_question_shaped,
    labelled_question,
    mentions_a_patient,
    mentions_ldn,
    question_parts,
    relays_a_question,
)
from ldn_core.understanding.other_drugs import (
    about_another_drug,
    co_medication,
    co_medication_followup,
    names_non_opioid_drug,
    names_other_drug,
    starts_another_drug,
)
from ldn_core.understanding.untested_conditions import asked_about_untested_condition

SMALLTALK_RESPONSES = {
    intents.GREET: "utter_greet",
    intents.GOODBYE: "utter_goodbye",
    intents.THANKS: "utter_thanks",
    intents.BOT_CHALLENGE: "utter_iamabot",
    intents.HELP: "utter_help",
    intents.AFFIRM: "utter_anything_else",
    intents.DENY: "utter_anything_else",
    intents.CANCEL: "utter_anything_else",
}
# Intents that name a kind of LDN question: their topics are hints for retrieval.
SCREENING_INTENTS = intents.SCREENING
DOSING_INTENTS = intents.DOSING
NOT_HINTS = (intents.OUT_OF_SCOPE, intents.NLU_FALLBACK)  # readings that name no topic
# A message asking to be walked through the screening questions opens the form.
WALKTHROUGH = re.compile(
    r"\b(?:ask me the (?:screening )?questions|walk me through|screening questions|"
    r"(?:start|run|do) (?:a |the )?screening|screen (?:my|this|a|the) (?:patient|pt))\b",
    re.IGNORECASE,
)
# When the store abstains on a message that is clearly about LDN, the best passages are
# still shown if the best cosine reaches this floor (else: "no cited answer").
# A question this long or longer after an answer is a new question, not a continuation.
CONTINUATION_WORDS = 16
SMALLTALK_WORDS = 8  # a longer question is never taken for small talk
# The context topic a declined question leaves: only "and LDN?" may lean on it.
DECLINED_TOPIC = "declined"
CASE_FACTS = 2  # facts that make a message a patient description without "pt"/"she"
# Noise that is only politeness: a message of nothing else is small talk, not an attack.
COURTESY_NOISE = frozenset({"greeting", "sign_off", "emoji"})
LDN_ANSWER_FLOOR = 0.25
LDN_MIN_ANSWERABILITY = -1.0  # or when the abstention logit is this close to answering
MAX_CONDITION_POINTS = 2
UNTESTED_NOTE = "My store holds no study of LDN in {condition}."
# An out_of_scope reading this confident, on a message that does not name LDN, is a decline
# unless the store's answerability reaches the overrule margin.
OOS_CONFIDENT = 0.8
# Question types about LDN itself: read with this confidence, they mark a message that names
# no other drug as an LDN question.
CLINICAL_INTENTS = frozenset({*intents.QUESTION_TYPES, intents.FOLLOWUP})
CLINICAL_CONFIDENT = 0.6
# ... and only if retrieval's answerability logit on the text alone reaches this (chosen on
# eval/realistic/dev.yml: implicit LDN questions scored about -1.3, other medicine below -4).
CLINICAL_MIN_ANSWERABILITY = -3.0
# Words by which a follow-up refers to the drug just discussed ("is it ok with X?").
POINTS_AT_THE_ANSWER = re.compile(r"\b(?:it|its|that|this|these|those|same)\b", re.IGNORECASE)
SOURCES_INTRO = {
    "sources": "The sources behind my last answer, statement by statement:",
    "evidence": (
        "The evidence behind my last answer, statement by statement; each point gives its "
        "certainty and the strength line names the study designs:"
    ),
}
WALKTHROUGH_BUTTON = ("Ask me the screening questions", "Ask me the screening questions")
ANSWER_WORDS = 12  # a reply this short, while a screening is pending, answers its questions
BLOCKING_VERDICTS = frozenset(
    {Verdict.DO_NOT_START, Verdict.WAIT_UNTIL, Verdict.NEEDS_SPECIALIST_REVIEW}
)


@dataclass(frozen=True)
class Turn:
    """One message as the NLU read it."""

    text: str
    intent: str | None = None
    confidence: float = 0.0
    entities: dict[str, str] = field(default_factory=dict)  # entity -> last value


@dataclass(frozen=True)
class State:
    """What the conversation carried into this turn."""

    context: Context = field(default_factory=Context)
    facts: PatientFacts | None = None
    screening_pending: bool = False
    last_passages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reply:
    route: str  # how it was answered: for logs, tests and the benchmark
    answer: Answer | None = None
    response: str | None = None  # a canned domain response (small talk)
    context: Context = field(default_factory=Context)
    facts: PatientFacts | None = None
    screening_pending: bool = False
    passages: tuple[str, ...] = ()  # passage ids shown, for "source for that?"
    open_form: str | None = None  # a form the clinician asked for
    noise: tuple[str, ...] = ()  # kinds of noise removed (logged, never the text)


def has_patient_facts(facts: PatientFacts) -> bool:
    """Facts that bear on a screening verdict (a named condition alone does not)."""
    return bool(
        facts.opioids
        or facts.opioid_free is not None
        or facts.liver_status
        or facts.renal_impairment
        or facts.procedure_planned
        or facts.pregnant
        or facts.breastfeeding
        or facts.on_naltrexone_50mg
        or facts.on_naltrexone_bupropion
        or facts.naltrexone_reaction in ("allergy", "reaction")
        or facts.age_years is not None
    )


def case_facts(facts: PatientFacts) -> int:
    """How many facts of a patient description the message gives (a drug named alone gives
    none): "off opioids" alone may be a general question, three such facts are a case."""
    return sum(
        (
            facts.opioid_free is not None,
            bool(facts.liver_status),
            bool(facts.renal_impairment),
            facts.procedure_planned is not None,
            bool(facts.pregnant),
            bool(facts.breastfeeding),
            facts.age_years is not None,
            facts.on_naltrexone_50mg is False or facts.on_naltrexone_bupropion is False,
        )
    )


def wants_verdict(
    text: str, turn: Turn, extracted: PatientFacts, continuing: bool, about_ldn: bool
) -> bool:
    """Whether a screening verdict belongs beside the answer (the patient is not on LDN yet).

    - the message adds to a screening already pending;
    - it describes a patient (liver, age, "no opioids"...) and asks about starting;
    - a particular patient ("pt", "she", "45F") takes an opioid or another naltrexone
      product and LDN is in question; a general question ("can someone on methadone take
      LDN?") gets the store's answer instead;
    - a particular patient and starting LDN are asked about with nothing known yet ("can my
      patient start LDN?"): the verdict says what is needed.
    """
    if continuing:
        return True
    starting = asks_about_starting(text) or turn.intent in SCREENING_INTENTS
    patient = mentions_a_patient(text)
    described = case_facts(extracted)
    if starting and (described >= CASE_FACTS or (patient and described >= 1)):
        return True
    if patient and has_safety_exposure(extracted) and about_ldn:
        return True
    if patient and described >= CASE_FACTS and mentions_ldn(text):
        # a described patient and LDN, whatever the verb ("daughter asking about LDN for her
        # mum's pain"): LDN is being considered for that patient (one already on it never
        # gets here)
        return True
    if is_a_child(extracted) and about_ldn:
        # "dad of a 6 yo asking if LDN could help his son": children need specialist review,
        # whatever the question's wording
        return True
    return patient and starting and (mentions_ldn(text) or turn.intent == intents.REQUEST_SCREENING)


def is_a_child(facts: PatientFacts) -> bool:
    """A patient under the screening rules' adult age (knowledge/rules/screening.yaml)."""
    adult_age = screening_rules().rule("age_under_18").param("adult_age")
    return facts.age_years is not None and facts.age_years < adult_age


def has_safety_exposure(facts: PatientFacts) -> bool:
    """A patient's opioid, other naltrexone product or past reaction to naltrexone: always
    worth a verdict beside the answer. An opioid merely named in a general question ("how
    long off morphine before LDN?") is not a patient's exposure: neither current, nor stopped
    on a known day."""
    patient_opioid = any(
        o.current is True or o.last_dose is not None or o.maintenance for o in facts.opioids
    )
    return bool(
        patient_opioid
        or facts.on_naltrexone_50mg
        or facts.on_naltrexone_bupropion
        or facts.naltrexone_reaction in ("allergy", "reaction")
    )


class Router:
    def __init__(self, assistant) -> None:  # ldn_core.assistant.Assistant (no import cycle)
        self.assistant = assistant
        self.store = assistant.store
        self.retriever = assistant.retriever
        self._passage_set = {p.id for p in self.store.passages}
        self.overrule_at = self.retriever.config.overrule_out_of_scope_at

    def _topics_of(self, passage_ids: tuple[str, ...]) -> frozenset[str]:
        return frozenset(
            self.store.passage(pid.split("#", 1)[0]).topic
            for pid in passage_ids
            if pid.split("#", 1)[0] in self._passage_set
        )

    def _passage_ids(self, answer: Answer) -> tuple[str, ...]:
        """Store passages an answer shows (rule statements and short answers excluded)."""
        return tuple(p.origin_id for p in answer.points if p.origin_id in self._passage_set)

    # ------------------------------------------------------------------ entry point

    def respond(self, turn: Turn, state: State, today: dt.date) -> Reply:
        cleaned = clean_message(turn.text)
        text = cleaned.text
        noise = cleaned.removed
        state = replace(state, context=context_after_a_decline(state.context, text))

        request = followup_request(text) if state.last_passages else None
        if request in ("sources", "evidence"):
            return self._sources_again(state, noise, request)

        smalltalk = SMALLTALK_RESPONSES.get(turn.intent or "")
        if cleaned.is_empty and (noise and not set(noise) <= COURTESY_NOISE):
            # nothing but instructions to the assistant, code or markup: declined, not echoed
            return Reply(
                "decline", out_of_scope(), context=state.context, facts=state.facts, noise=noise
            )
        if cleaned.is_empty:
            return Reply(
                "smalltalk",
                response=smalltalk or "utter_help",
                context=state.context,
                facts=state.facts,
                screening_pending=state.screening_pending,
                passages=state.last_passages,
                noise=noise,
            )

        if WALKTHROUGH.search(text):
            return Reply(
                "form",
                context=state.context,
                facts=state.facts,
                screening_pending=True,
                open_form="screening_form",
                noise=noise,
            )

        extracted = self.assistant.extract(text, today)
        facts = extracted
        if state.screening_pending and state.facts and answers_pending(turn, text, extracted):
            facts = state.facts.merged_with(extracted)

        # The condition the NLU tagged, else, in a message about LDN, the one fact extraction
        # found ("66F SPMS ... would LDN help her spasticity"). Not otherwise: a condition
        # hint makes "DMT options for RRMS" look answerable.
        named_condition = turn.entities.get("condition") or (
            extracted.indication
            if extracted.indication in CONDITION_TOPIC and mentions_ldn(text)
            else None
        )
        intent = None if request == "why" else turn.intent
        if request == "why":
            intent = intents.FOLLOWUP
        hint_intent = intent if intent not in SMALLTALK_RESPONSES else None
        result, query = self.assistant.search(
            text,
            hint_intent if hint_intent not in NOT_HINTS else None,
            condition=named_condition,
            population=turn.entities.get("population"),
            previous=state.context,
        )
        # A chart paste or a case ends with its question ("Q: can I use the same dose?"), a
        # relayed question holds the patient's own words, a message may ask two things: each
        # such part is searched too (best_reading chooses among the readings).
        parts = question_parts(text)
        case_condition = extracted.indication if extracted.indication in CONDITION_TOPIC else None
        readings = [(result, query)]
        for asked in parts:
            # a part asking whether LDN works keeps the patient's condition ("what do I tell
            # her about whether it works?" in an MS case asks about MS), as fact extraction
            # reads it (the patient's, not a relative's: "mum has MS and takes LDN"); a part
            # asking something else ("does it matter?", "is that true?") is not pulled to
            # the condition's trials
            about_efficacy = asks_about_evidence(asked)
            focused_result, focused_query = self.assistant.search(
                with_condition(asked, case_condition if about_efficacy else None),
                hint_intent if hint_intent not in NOT_HINTS else None,
                condition=named_condition if about_efficacy else None,
                population=turn.entities.get("population"),
                previous=state.context,
            )
            readings.append(
                (
                    focused_result,
                    replace(focused_query, context=replace(focused_query.context, question=text)),
                )
            )
        labelled = labelled_question(text)
        result, query = best_reading(
            readings,
            self.retriever.config.keep_within,
            self.retriever.config.top_k,
            preferred=parts.index(labelled) + 1 if labelled in parts else None,
        )
        # Small talk ("thanks", "ok") right after an answer is not a follow-up question, but a
        # question that points back at it ("should she stop?") is, whatever the NLU said.
        points_back = (
            state.context.question is not None
            and is_question_shaped(text)
            and bool(POINTS_BACK.search(text))
        )
        if (
            smalltalk
            and request is None
            and not points_back
            and (len(text.split()) <= SMALLTALK_WORDS or not is_question_shaped(text))
            and (result.abstained or result.answerability < self.overrule_at)
            and not mentions_ldn(text)
            and not has_patient_facts(extracted)
        ):
            return Reply(
                "smalltalk",
                response=smalltalk,
                context=state.context,
                facts=state.facts,
                screening_pending=state.screening_pending,
                passages=state.last_passages,
                noise=noise,
            )

        # A short question that leans on the previous one ("what dose then?", "is that in men
        # too?") is searched as a follow-up when it finds nothing alone.
        followup = state.context.question is not None and (
            hint_intent == intents.FOLLOWUP
            or request is not None
            or is_elliptical(text)
            or self._continues_conversation(text, extracted)
        )
        other_reading: RetrievalResult | None = None  # a follow-up's reading not chosen
        if followup and hint_intent != intents.FOLLOWUP:
            # read with the previous question too; kept unless it finds nothing while the
            # message alone does (an elliptical message leans on what came before)
            leaning, leaning_query = self.assistant.search(
                text,
                intents.FOLLOWUP,
                condition=turn.entities.get("condition"),
                population=turn.entities.get("population"),
                previous=state.context,
            )
            if leans_on_previous(text, result, leaning, self.retriever.config.keep_within):
                other_reading = result
                result, query = leaning, leaning_query
            else:
                other_reading = leaning
        context = query.context
        # The NLU reading a clinical question type with confidence, in a message that names no
        # other drug and whose words the store mostly knows, marks LDN as its subject too
        # ("can u start at 4.5 straight away?"); "CHA2DS2-VASc for a 70F" does not qualify.
        clinical_reading = (
            turn.intent in CLINICAL_INTENTS
            and turn.confidence >= CLINICAL_CONFIDENT
            and not names_other_drug(text)
            and (
                not result.abstained
                or self.retriever.retrieve(text).answerability >= CLINICAL_MIN_ANSWERABILITY
            )
        )
        # A patient's question passed on ("my pt asks if she can drink on it") is about their
        # treatment, LDN, unless it names another drug; the store must still know its words.
        relayed_ldn = (
            relays_a_question(text)
            and not names_other_drug(text)
            and max(self.retriever.retrieve(t).answerability for t in [text, *parts])
            >= CLINICAL_MIN_ANSWERABILITY
        )
        # "remind me what FINAL found", "was Younger 2013 a crossover?": the store's own studies
        names_a_study = self.assistant.study_names.named_in(text)
        ldn_signal = (
            mentions_ldn(text) or followup or clinical_reading or relayed_ldn or names_a_study
        )
        if followup and turn.entities.get("condition") in CONDITION_TOPIC:
            # "and Crohn's?" after an MS question: the new condition's passages, not the old one's
            # "any data in paediatric MS?": the population's passages compete too
            new_topics = {CONDITION_TOPIC[turn.entities["condition"]]}
            if turn.entities.get("population") in POPULATION_TOPIC:
                new_topics.add(POPULATION_TOPIC[turn.entities["population"]])
            result = keep_topics(result, frozenset(new_topics), self.retriever.config.keep_within)
        elif followup and not turn.entities.get("population"):
            # "how long for?", "does it wear off?": the subject of the last answer is still
            # the subject, so its topics win a near tie (a new topic still wins when clear)
            result = favour_topics(
                result,
                self._topics_of(state.last_passages),
                self.retriever.config.topic_boost,
                self.retriever.config.keep_within,
                self.retriever.config.top_k,
            )

        # A patient already on LDN asks about managing it (surgery, side effects): the answer
        # is the store's; a start verdict would answer a question nobody asked. An opioid
        # question that never mentions LDN ("methadone to buprenorphine conversion") is not
        # about starting LDN either.
        # "is LDN ok with her sertraline?": the interaction passages answer it (the store has
        # no drug-by-drug data and says so); a start verdict would answer another question.
        other_drug = (
            co_medication(text, ldn_implied=followup) if mentions_ldn(text) or followup else None
        )
        if followup and other_drug is None:
            other_drug = co_medication_followup(text, state.context.question)
        if other_drug:
            combined, _ = self.assistant.search(
                f"LDN taken with other non-opioid medicines such as {other_drug}: interactions",
                intents.ASK_INTERACTIONS,
            )
            result = self._on_topic(combined, "interactions", otherwise=result)
        elif ldn_signal and not names_other_drug(text) and asks_about_an_ldn_dose(text):
            # "is 9 mg safe?": the dosing rule leads the answer, the dosing passages follow
            dosing, _ = self.assistant.search(
                f"is {asked_ldn_dose(text):g} mg of LDN safe: usual dose range, highest doses",
                intents.ASK_DOSING,
            )
            result = self._on_topic(dosing, "dosing", otherwise=result)
        untested = (
            asked_about_untested_condition(text)
            if (ldn_signal or relays_a_question(text))
            and extracted.indication is None
            and not turn.entities.get("condition")
            else None
        )
        if untested:
            # "will LDN help her Hashimoto's?": the store has no trial there; what it says
            # about untested uses answers, not a neighbouring condition's passages
            experimental, _ = self.assistant.search(
                "is LDN effective for a chronic disorder without trials of its own: experimental",
                intents.ASK_EFFICACY,
            )
            result = self._on_topic(experimental, "efficacy", otherwise=result)
            ldn_signal = True
        about_ldn = mentions_ldn(text) or turn.intent in SCREENING_INTENTS
        opioid_or_product = has_safety_exposure(extracted)
        if (
            not already_on_ldn(text)
            and (not other_drug or opioid_or_product or asks_to_start_ldn(text))
            # "pt wants to use kratom to get off his opioids": the drug to start is another
            and not (starts_another_drug(text) and not mentions_ldn(text))
            and wants_verdict(
                text, turn, extracted, continuing=facts is not extracted, about_ldn=about_ldn
            )
        ):
            return self._noted(
                self._composite(text, turn, facts, result, context, today, noise), untested
            )

        # "ok thanks. also what's the QTc cutoff for citalopram" after an LDN answer is a new
        # question about another drug, not a follow-up: only a bare "what about X?" or one that
        # points back at LDN ("is it ok with X?") stays one.
        followup_elsewhere = (
            followup
            and not mentions_ldn(text)
            and names_non_opioid_drug(text)
            and not text.lower().lstrip().startswith(ELLIPTICAL_OPENERS)
            and not POINTS_AT_THE_ANSWER.search(text)
        )
        if (not ldn_signal or followup_elsewhere) and declined_as_another_subject(
            text, turn, result, self.overrule_at
        ):
            return Reply(
                "decline",
                out_of_scope(),
                context=declined_context(text),
                facts=state.facts,
                noise=noise,
            )
        # A safety fact in the message (an opioid on the drug chart, acute hepatitis, another
        # naltrexone product, pregnancy, an operation) leads the answer, whatever condition
        # LDN is for: "on LDN for FM, now on oxycodone - stop the LDN?" is an opioid question.
        safety_topics = fact_topics(extracted)
        # ... except in a question whether LDN helps a condition the store holds no study
        # of: that honest answer leads ("Panadeine Forte ceased long ago" in a Hashimoto's
        # referral does not turn it into an opioid answer; a verdict covers the opioid)
        if safety_topics and not followup and not untested:
            # focusing picks among the passages; it turns an abstention into an answer only
            # in a message about LDN: "can mum keep taking the small naltrexone when her
            # gallbladder is taken out?" matches nothing well as a whole, yet its operation
            # is what the answer must be about
            focused = self._focused(result, extracted, safety_topics)
            on_the_fact = focused is not result and mentions_ldn(text)
            asked = result
            result = replace(focused, abstained=result.abstained and not on_the_fact)
            if focused is not asked:
                # the question asked is still answered: "can LDN cause tachycardia? flagged
                # at pre-op" shows the tachycardia passage after the perioperative ones
                result = with_question_asked(result, asked, text, self.retriever.config.top_k)
        if other_reading is not None and not result.abstained:
            # "would I need a smaller dosage" after a dialysis answer: the dialysis reading
            # leads, the best passage of the other reading (lower starting doses) follows
            result = with_other_reading(result, other_reading, self.retriever.config.top_k)
        knowledge = self._knowledge_answer(text, intent, result, context, ldn_signal)
        if knowledge is None:
            if ldn_signal:
                return Reply(
                    "no_answer",
                    no_answer(context.topic, context.condition),
                    context=context,
                    facts=state.facts,
                    noise=noise,
                )
            return Reply(
                "decline",
                out_of_scope(),
                context=declined_context(text),
                facts=state.facts,
                noise=noise,
            )
        return Reply(
            "knowledge",
            self._noted_answer(knowledge, untested),
            context=context,
            facts=state.facts,
            screening_pending=state.screening_pending,
            passages=self._passage_ids(knowledge),
            noise=noise,
        )

    # ------------------------------------------------------------------ parts

    def _continues_conversation(self, text: str, extracted: PatientFacts) -> bool:
        """A question right after an answer, in words the store knows, that names no other
        drug and describes no new patient ("do I need to adjust the dose", "is there actually
        a guideline saying don't?") goes on about LDN: a clinician talking to an LDN assistant
        does not restate the drug in every turn."""
        return (
            is_question_shaped(text)
            and len(text.split()) <= CONTINUATION_WORDS
            and not names_other_drug(text)
            and not has_patient_facts(extracted)
            and self.retriever.retrieve(text).answerability >= CLINICAL_MIN_ANSWERABILITY
        )

    def _knowledge_answer(
        self,
        text: str,
        intent: str | None,
        result: RetrievalResult,
        context: Context,
        ldn_signal: bool,
        with_dosing: bool = False,
    ) -> Answer | None:
        """The store's answer, or None when it has none worth showing; dosing questions (and
        ``with_dosing``) also get the standard titration from the rules."""
        hits = result.hits
        if result.abstained:
            close_enough = (
                result.top_similarity >= LDN_ANSWER_FLOOR
                or result.answerability >= LDN_MIN_ANSWERABILITY
            )
            if not ldn_signal or not close_enough:
                return None
            best = result.candidates[0].score if result.candidates else 0.0
            keep = self.retriever.config.keep_within
            hits = [h for h in result.candidates if best - h.score <= keep][
                : self.retriever.config.top_k
            ]
        passages = [hit.passage for hit in hits]
        if not passages:
            return None
        rules: tuple[RuleStatement, ...] = ()
        if intent in DOSING_INTENTS or with_dosing:
            rules = self.assistant.dosing_rules()
        asked_dose = dose_statement(text) if ldn_signal and not names_other_drug(text) else None
        if asked_dose is not None:
            rules = (asked_dose, *rules)
        found = self._short_answer(text, passages, result.candidates)
        lead: tuple[RuleStatement, ...] = ()
        if found is not None:
            short, passage = found
            lead = (short_statement(short, passage),)
            if passage not in passages:  # the passage behind the short answer is shown too
                passages = [passage, *passages][: max(len(passages), 1) + 1]
        return compose_knowledge_answer(
            self.store,
            passages,
            topic=context.topic,
            condition=context.condition,
            rules=lead + rules,
        )

    def _short_answer(
        self, text: str, passages: list, candidates: list
    ) -> tuple[ShortAnswer, object] | None:
        if not is_question_shaped(text):
            return None
        found = short_answer_for(text, passages[:2], self.assistant.short_answers)
        if found is None or found[0].cue is None:
            # an answer written for exactly this kind of question ("is it dosed by weight?")
            # among the ranked passages beats a general one of the top passage
            ranked = [h.passage for h in candidates]
            cued = short_answer_for(text, ranked, self.assistant.short_answers, cued_only=True)
            found = cued or found
        return found

    def _condition_evidence(self, condition: str | None, shown: set[str]) -> Answer | None:
        topic = CONDITION_TOPIC.get(condition or "")
        if not topic:
            return None
        query = f"does LDN work for {condition.replace('_', ' ')} evidence trials"
        result = self.retriever.retrieve(query, {topic}, {condition})
        passages = [
            h.passage
            for h in (result.candidates or result.hits)
            if h.passage.topic == topic and h.passage.id not in shown
        ][:MAX_CONDITION_POINTS]
        if not passages:
            return None
        return compose_knowledge_answer(self.store, passages, topic=topic, condition=condition)

    def _composite(
        self,
        text: str,
        turn: Turn,
        facts: PatientFacts,
        result: RetrievalResult,
        context: Context,
        today: dt.date,
        noise: tuple[str, ...],
    ) -> Reply:
        """Verdict + direct answer + evidence for the named condition, in one reply.

        A verdict that stops or delays the start leads; otherwise the answer leads and the
        verdict, with what is still to confirm, closes the reply as "for your patient".
        """
        verdict_answer = self.assistant.verdict(facts, today)
        screening = verdict_answer.structured["screening"]
        verdict = Verdict(screening["verdict"])
        focus = fact_topics(facts)
        focused = self._focused(result, facts, focus)
        if focused is not result:
            # the question asked is answered too, after the passages on the case's facts
            focused = with_question_asked(focused, result, text, self.retriever.config.top_k)
        knowledge = self._knowledge_answer(
            text,
            turn.intent,
            focused,
            context,
            True,
            with_dosing=asks_about_dose(text),
        )
        shown = set(self._passage_ids(knowledge)) if knowledge else set()
        condition = facts.indication or turn.entities.get("condition") or context.condition
        evidence = self._condition_evidence(condition, shown)
        answers = [a for a in (knowledge, evidence) if a is not None]
        still_missing = bool(screening.get("missing"))
        buttons = (WALKTHROUGH_BUTTON,) if still_missing else ()
        if verdict in BLOCKING_VERDICTS or not answers:
            merged = merge_answers(self.store, [verdict_answer, *answers])
        else:
            closing = replace(verdict_answer, intro="")
            merged = merge_answers(self.store, [*answers, closing])
            merged = replace(
                merged,
                intro="",
                points=merged.points
                + (
                    Point(
                        "For your patient",
                        verdict_answer.intro,
                        verdict_answer.evidence or "very_low",
                        (),
                        "screening_summary",
                    ),
                ),
            )
        merged = replace(
            merged,
            kind=verdict_answer.kind,
            topic="screening",
            structured={**merged.structured, **verdict_answer.structured},
            buttons=tuple(dict.fromkeys(merged.buttons + buttons)),
        )
        return Reply(
            "composite",
            merged,
            context=Context(
                topic=context.topic or "screening",
                condition=condition,
                population=context.population,
                question=text,
            ),
            facts=facts,
            screening_pending=still_missing,
            passages=self._passage_ids(merged),
            noise=noise,
        )

    @staticmethod
    def _noted_answer(answer: Answer, untested: str | None) -> Answer:
        """The answer, opened by the fact that the store holds no study in ``untested``."""
        if not untested:
            return answer
        note = UNTESTED_NOTE.format(condition=untested)
        return replace(answer, intro=f"{note} {answer.intro}".strip())

    def _noted(self, reply: Reply, untested: str | None) -> Reply:
        if not untested or reply.answer is None:
            return reply
        return replace(reply, answer=self._noted_answer(reply.answer, untested))

    def _on_topic(
        self, searched: RetrievalResult, topic: str, otherwise: RetrievalResult
    ) -> RetrievalResult:
        """The passages of ``searched`` on ``topic``, or ``otherwise`` when it ranks none."""
        kept = keep_topics(searched, frozenset({topic}), self.retriever.config.keep_within)
        return otherwise if kept is searched else kept

    def _focused(
        self, result: RetrievalResult, facts: PatientFacts, topics: frozenset[str]
    ) -> RetrievalResult:
        """Passages on the topics the case's facts name (an opioid: opioids, interactions...).

        A case's demographics and history pull retrieval away from its safety question, so the
        ranked passages on those topics are kept; if none are ranked, a plain question about
        the facts is searched instead.
        """
        if not topics:
            return result
        keep = self.retriever.config.keep_within
        if any(h.passage.topic in topics for h in result.candidates):
            return keep_topics(result, topics, keep)
        plain = self.retriever.retrieve(fact_query(facts), set(topics))
        focused = keep_topics(plain, topics, keep)
        return focused if focused is not plain else result

    def _sources_again(self, state: State, noise: tuple[str, ...], request: str) -> Reply:
        passages = [
            self.store.passage(pid) for pid in state.last_passages if pid in self._passage_set
        ]
        if not passages:
            return Reply("no_answer", no_answer(), context=state.context, noise=noise)
        answer = compose_knowledge_answer(
            self.store, passages, topic=state.context.topic, condition=state.context.condition
        )
        answer = _with_intro(answer, SOURCES_INTRO[request])
        return Reply(
            "sources",
            answer,
            context=state.context,
            facts=state.facts,
            screening_pending=state.screening_pending,
            passages=state.last_passages,
            noise=noise,
        )


# Facts that name the part of the store a case question is about.
def fact_topics(facts: PatientFacts) -> frozenset[str]:
    topics: set[str] = set()
    if facts.opioids:
        topics |= {"opioids", "interactions"}
    if facts.on_naltrexone_50mg or facts.on_naltrexone_bupropion:
        topics.add("other_naltrexone")
    if facts.naltrexone_reaction in ("allergy", "reaction"):
        topics.add("contraindications")
    if facts.procedure_planned:
        topics.add("perioperative")
    if facts.liver_status and facts.liver_status != "normal":
        topics.add("hepatic")
    if facts.renal_impairment and facts.renal_impairment != "none":
        topics.add("renal")
    if facts.pregnant or facts.breastfeeding or facts.planning_pregnancy:
        topics.add("pregnancy")
    return frozenset(topics)


def answers_pending(turn: Turn, text: str, extracted: PatientFacts) -> bool:
    """Whether a message adds to the patient being screened rather than describing a new one:
    an answer-like message ("no opioids, LFTs normal"), not a new case with its own age."""
    if extracted.age_years is not None:
        return False
    return turn.intent == intents.INFORM or len(text.split()) <= ANSWER_WORDS


def short_statement(short: ShortAnswer, passage) -> RuleStatement:
    return RuleStatement(
        "In short", short.text, passage.evidence, passage.sources, f"{passage.id}#short"
    )


def _with_intro(answer: Answer, intro: str) -> Answer:
    return replace(answer, intro=intro)


def declined_as_another_subject(
    text: str, turn: Turn, result: RetrievalResult, overrule_at: float
) -> bool:
    """A message that does not name LDN and is about something else, even if retrieval
    found a passage: another drug named as its subject, or a confident out-of-scope reading
    by the NLU that the store does not overrule (its answerability below the dev-chosen
    margin, knowledge/retrieval.yaml)."""
    if asks_about_starting(text) and not starts_another_drug(text):
        return False
    if about_another_drug(text):
        return True
    confident_oos = turn.intent == intents.OUT_OF_SCOPE and turn.confidence >= OOS_CONFIDENT
    return confident_oos and (overrule_at <= 0 or result.answerability < overrule_at)


def best_reading(
    readings: list[tuple[RetrievalResult, Query]],
    keep_within: float,
    top_k: int,
    preferred: int | None = None,
) -> tuple[RetrievalResult, Query]:
    """One message read several ways (whole, its question, the patient's quoted words...):
    the message is answerable when any reading is; the passages are those of the reading
    whose best passage matches best. Which reading is *most answerable* is a poor guide: a
    fragment ("whether it will settle") reads as a generic LDN question, while the whole
    message matches its passage (nausea) far more closely. ``preferred``: the reading of the
    question the clinician labelled ("Q: ..."), kept whenever it is answerable."""
    answerable = [r for r in readings if not r[0].abstained]
    if not answerable:
        return max(readings, key=lambda r: r[0].answerability)
    if preferred is not None and not readings[preferred][0].abstained:
        return readings[preferred]
    best, best_query = max(readings, key=lambda r: _top_score(r[0]))
    if not best.abstained:
        return best, best_query
    top = best.candidates[0].score
    hits = [h for h in best.candidates if top - h.score <= keep_within][:top_k]
    margin = max(r.answerability for r, _ in answerable)
    return replace(best, hits=hits, abstained=False, answerability=margin), best_query


def _top_score(result: RetrievalResult) -> float:
    ranked = result.candidates or result.hits
    return ranked[0].score if ranked else float("-inf")


def keep_topics(
    result: RetrievalResult, topics: frozenset[str], keep_within: float
) -> RetrievalResult:
    """The ranked passages on these topics only (as answerable), or ``result`` unchanged when
    none is ranked."""
    on_topic = [h for h in result.candidates if h.passage.topic in topics]
    if not on_topic:
        return result
    best = on_topic[0].score
    kept = [h for h in on_topic if best - h.score <= keep_within]
    return replace(result, hits=kept[:3], candidates=on_topic, abstained=False)


def favour_topics(
    result: RetrievalResult, topics: frozenset[str], bonus: float, keep_within: float, top_k: int
) -> RetrievalResult:
    """The ranking with passages on ``topics`` lifted by ``bonus``; abstention unchanged."""
    if not topics or not result.candidates:
        return result
    lifted = sorted(
        (
            replace(h, score=h.score + bonus) if h.passage.topic in topics else h
            for h in result.candidates
        ),
        key=lambda h: h.score,
        reverse=True,
    )
    best = lifted[0].score
    kept = [h for h in lifted if best - h.score <= keep_within][:top_k]
    return replace(result, candidates=lifted, hits=[] if result.abstained else kept)


def with_other_reading(
    chosen: RetrievalResult, other: RetrievalResult, top_k: int
) -> RetrievalResult:
    """A follow-up can be read with the previous question or alone; when the reading not
    chosen answers on another topic, its best passage is shown after the chosen ones."""
    if other.abstained or not other.hits or not chosen.hits:
        return chosen
    best = other.hits[0]
    if best.passage.topic in {h.passage.topic for h in chosen.hits}:
        return chosen
    return replace(chosen, hits=[*chosen.hits[: max(top_k - 1, 1)], best])


def with_question_asked(
    focused: RetrievalResult, asked: RetrievalResult, text: str, top_k: int
) -> RetrievalResult:
    """The passages on a case's safety facts, then the best passage for the question as
    asked when it is on another topic. Not the trials of the condition LDN is taken for,
    unless the question asks whether it works: in "on LDN for MS, started morphine - keep
    the LDN going?" MS is background, the opioid is the question."""
    if asked.abstained or not asked.hits:
        return focused
    if asked.hits[0].passage.topic in CONDITION_TOPIC.values() and not asks_about_evidence(text):
        return focused
    return with_other_reading(focused, asked, top_k)


def declined_context(question: str) -> Context:
    """What a declined question leaves for the next turn: only the question, marked."""
    return Context(topic=DECLINED_TOPIC, question=question)


def context_after_a_decline(previous: Context, text: str) -> Context:
    """After a declined question about another drug, "and LDN?" asks the same about LDN; any
    other message starts afresh (a decline is never a subject to follow up on)."""
    if previous.topic != DECLINED_TOPIC:
        return previous
    if mentions_ldn(text) and is_elliptical(text):
        return Context(question=previous.question)
    return Context()


def with_condition(question: str, condition: str | None) -> str:
    """The question with the case's condition named (harmless when it names it already)."""
    return f"{question} ({condition.replace('_', ' ')})" if condition else question


def fact_query(facts: PatientFacts) -> str:
    """A plain question about the facts of a case that name a safety topic."""
    parts = []
    if facts.opioids:
        drugs = ", ".join(sorted({o.drug for o in facts.opioids}))
        parts.append(f"patient taking opioids ({drugs}): can LDN be started, opioid washout")
    if facts.on_naltrexone_bupropion or facts.on_naltrexone_50mg:
        parts.append("LDN together with naltrexone-bupropion or 50 mg naltrexone")
    if facts.naltrexone_reaction in ("allergy", "reaction"):
        parts.append("label contraindications of naltrexone: hypersensitivity")
    if facts.procedure_planned:
        parts.append("surgery planned, stopping LDN before the operation")
    if facts.liver_status and facts.liver_status != "normal":
        parts.append("LDN in liver disease")
    if facts.renal_impairment and facts.renal_impairment != "none":
        parts.append("LDN in kidney impairment")
    if facts.pregnant or facts.breastfeeding or facts.planning_pregnancy:
        parts.append("LDN in pregnancy, breastfeeding or when planning a pregnancy")
    return "; ".join(parts)
