"""The assistant's clinical core behind one facade: the Rasa actions call only this."""

from __future__ import annotations

import logging
import threading
import time

from ldn_core.answer import Answer, compose_knowledge_answer, no_answer
from ldn_core.retrieval import Retriever
from ldn_core.retrieval.encoder import Encoder, shared_encoder
from ldn_core.routing import Context, plan_query
from ldn_core.settings import Settings

log = logging.getLogger(__name__)


class Assistant:
    def __init__(self, retriever: Retriever):
        self.retriever = retriever
        self.store = retriever.store

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
        return cls(retriever)

    def answer_question(
        self,
        text: str,
        intent: str | None,
        condition: str | None = None,
        population: str | None = None,
        previous: Context | None = None,
    ) -> tuple[Answer, Context]:
        query = plan_query(text, intent, condition, population, previous or Context())
        result = self.retriever.retrieve(query.text, set(query.topics), set(query.conditions))
        context = query.context
        if result.abstained:
            log.info("no curated answer (top similarity %.2f)", result.top_similarity)
            return no_answer(topic=context.topic, condition=context.condition), context
        passages = [hit.passage for hit in result.hits]
        answer = compose_knowledge_answer(
            self.store, passages, topic=context.topic, condition=context.condition
        )
        return answer, context


_lock = threading.Lock()
_shared: Assistant | None = None


def shared_assistant() -> Assistant:
    """One per process (the action server): the encoder and index load once."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = Assistant.load()
        return _shared
