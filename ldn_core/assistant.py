"""The assistant's clinical core behind one facade: the Rasa actions call only this."""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from pathlib import Path

from ldn_core import intents
from ldn_core.answer import Answer, compose_knowledge_answer, message, no_answer
from ldn_core.answer.clinical import compose_schedule, compose_screening
from ldn_core.answer.compose import RuleStatement
from ldn_core.extraction import extract_facts
from ldn_core.knowledge.short_answers import load_short_answers
from ldn_core.patient import PatientFacts
from ldn_core.respond import Reply, Router, State, Turn
from ldn_core.retrieval import Retriever
from ldn_core.retrieval.encoder import Encoder
from ldn_core.retrieval.retriever import RetrievalResult
from ldn_core.retrieval.serving import shared_encoder
from ldn_core.routing import Context, Query, plan_query
from ldn_core.rules import DosingError, Verdict, build_schedule, screen
from ldn_core.settings import Settings
from ldn_core.understanding.studies import StudyNames

log = logging.getLogger(__name__)


class Assistant:
    def __init__(self, retriever: Retriever, knowledge_dir: Path | None = None):
        self.retriever = retriever
        self.store = retriever.store
        kdir = knowledge_dir or Settings.from_env().knowledge_dir
        self.short_answers = load_short_answers(kdir, {p.id for p in self.store.passages})
        self.study_names = StudyNames.load(kdir, self.store.sources)
        self._router = Router(self)

    @classmethod
    def load(cls, settings: Settings | None = None, encoder: Encoder | None = None) -> Assistant:
        settings = settings or Settings.from_env()
        started = time.perf_counter()
        retriever = Retriever.from_knowledge(
            settings.knowledge_dir, encoder or shared_encoder(), settings.cache_dir
        )
        log.info(
            "knowledge loaded: %d passages, %d sources in %.1f s",
            len(retriever.store.passages),
            len(retriever.store.sources),
            time.perf_counter() - started,
        )
        return cls(retriever, settings.knowledge_dir)

    def respond(self, turn: Turn, state: State, today: dt.date) -> Reply:
        """Any message outside a form: answered first, refined after (``ldn_core.respond``)."""
        return self._router.respond(turn, state, today)

    def extract(self, text: str, today: dt.date) -> PatientFacts:
        return extract_facts(text, today)

    def verdict(self, facts: PatientFacts, today: dt.date) -> Answer:
        """The screening verdict for known facts (with the schedule when LDN can start)."""
        result = screen(facts, today)
        schedule = None
        if result.verdict is Verdict.CAN_START:
            schedule = build_schedule(result.earliest_start or result.start_date)
        return compose_screening(self.store, result, schedule)

    def dosing_rules(self) -> tuple[RuleStatement, ...]:
        return dosing_rule_statements()

    def answer_question(
        self,
        text: str,
        intent: str | None,
        condition: str | None = None,
        population: str | None = None,
        previous: Context | None = None,
    ) -> tuple[Answer, Context]:
        result, query = self.search(text, intent, condition, population, previous)
        context = query.context
        if not answers_from_store(result, intent):
            log.info("no curated answer (top similarity %.2f)", result.top_similarity)
            return no_answer(topic=context.topic, condition=context.condition), context
        passages = [hit.passage for hit in result.hits]
        rules = dosing_rule_statements() if intent in intents.DOSING else ()
        answer = compose_knowledge_answer(
            self.store, passages, topic=context.topic, condition=context.condition, rules=rules
        )
        return answer, context

    def search(
        self,
        text: str,
        intent: str | None,
        condition: str | None = None,
        population: str | None = None,
        previous: Context | None = None,
    ) -> tuple[RetrievalResult, Query]:
        """The passages for a classified question, with the NLU's hints (what answers use)."""
        query = plan_query(text, intent, condition, population, previous or Context())
        result = self.retriever.retrieve(query.text, set(query.topics), set(query.conditions))
        return result, query

    def overrules_out_of_scope(self, text: str) -> bool:
        """Whether the store answers a question the NLU read as out of scope (or was unsure
        of) so confidently that answering beats refusing.

        The NLU reads each message alone and refuses questions that leave LDN implicit ("she
        gets awful dreams on it, any tips?") or name a trial by its author; retrieval's
        answerability model, from the text alone and with a margin chosen on the dev split
        (knowledge/retrieval.yaml), tells these from questions about other drugs or diseases.
        """
        margin = self.retriever.config.overrule_out_of_scope_at
        if margin <= 0.0:
            return False
        result = self.retriever.retrieve(text)
        return not result.abstained and result.answerability >= margin

    def screen_patient(
        self, text: str, today: dt.date, known: PatientFacts | None = None
    ) -> tuple[Answer, PatientFacts]:
        """Verdict for the described patient; facts from earlier turns are merged in.

        When LDN can be started, the answer includes the standard dated schedule.
        """
        facts = (known or PatientFacts()).merged_with(extract_facts(text, today))
        return self.verdict(facts, today), facts

    def titration_schedule(self, text: str, today: dt.date) -> Answer:
        """A schedule from a free-text request ("sensitive patient, starting Monday")."""
        facts = extract_facts(text, today)
        variant = "low_start" if LOW_START_WORDS.search(text) else "standard"
        return self.schedule_from(facts.requested_start or today, variant)

    def schedule_from(self, start: dt.date, variant: str = "standard") -> Answer:
        """A schedule from known settings (e.g. the schedule form's slots)."""
        try:
            schedule = build_schedule(start, variant=variant)
        except DosingError as err:
            return message(f"I cannot build that schedule: {err}")
        return compose_schedule(self.store, schedule)


def answers_from_store(result: RetrievalResult, intent: str | None) -> bool:
    """Whether an answer is given: dosing questions always get the dosing rules."""
    return not result.abstained or intent in intents.DOSING


def dosing_rule_statements() -> tuple[RuleStatement, ...]:
    """The standard titration protocol, straight from the rules (not from retrieval)."""
    schedule = build_schedule(dt.date.today())
    steps = ", ".join(f"{row.dose_mg:g} mg" for row in schedule.rows)
    text = (
        f"Start {schedule.rows[0].dose_mg:g} mg at bedtime and increase by "
        f"{schedule.step_mg:g} mg every {schedule.interval_days} days ({steps}) to a target of "
        f"{schedule.target_mg:g} mg nightly. {schedule.notes[0]}"
    )
    return (
        RuleStatement(
            "Standard titration (dosing rule)",
            text,
            schedule.evidence,
            schedule.sources,
            schedule.rule_ids[0],
        ),
    )


# "sensitive patient", "low and slow", "start lower": the low-start practice variant
LOW_START_WORDS = re.compile(
    r"\b(sensitive|low[- ]start|low and slow|start (?:lower|low)|slow(?:er)? titration|0\.5 ?mg)\b",
    re.IGNORECASE,
)

_lock = threading.Lock()
_shared: Assistant | None = None


def shared_assistant() -> Assistant:
    """One per process (the action server): the encoder and index load once."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = Assistant.load()
        return _shared
