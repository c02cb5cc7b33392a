"""Source ids -> numbered references and CDS link objects, from the knowledge store."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from ldn_core.knowledge import KnowledgeStore, Source
from ldn_core.settings import Settings


@functools.cache
def knowledge_store() -> KnowledgeStore:
    return KnowledgeStore.load(Settings.from_env().knowledge_dir)


class Citations:
    """Numbers sources in first-use order; unknown ids are dropped (the validator keeps the
    rules' ids in sources.yaml, so a drop would be a bug caught by the tests)."""

    def __init__(self, store: KnowledgeStore | None = None) -> None:
        self.store = store or knowledge_store()
        self.sources: list[Source] = []

    def cite(self, ids: Iterable[str]) -> str:
        numbers = []
        for source_id in ids:
            source = self.store.sources.get(source_id)
            if source is None:
                continue
            if source not in self.sources:
                self.sources.append(source)
            numbers.append(self.sources.index(source) + 1)
        return "".join(f"[{n}]" for n in sorted(set(numbers)))

    def reference_lines(self) -> list[str]:
        lines = []
        for number, source in enumerate(self.sources, start=1):
            url = f" {source.best_url}" if source.best_url else ""
            lines.append(f"{number}. {source.short_citation}.{url}")
        return lines

    def links(self) -> list[dict]:
        return [
            {"label": f"[{n}] {s.short_citation}"[:140], "url": s.best_url, "type": "absolute"}
            for n, s in enumerate(self.sources, start=1)
            if s.best_url
        ]
