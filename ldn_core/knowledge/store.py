"""Loads the knowledge store (bibliography + curated passages) into memory.

Loading is strict: the first structural problem raises ``KnowledgeError`` naming the
file, the item and the field. Cross-checks (cited ids exist, dossier, evidence)
are the validator's job (``python -m ldn_core.knowledge.validate``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .model import TOPICS, Passage, Source
from .schema import (
    KnowledgeError,
    build_passage,
    build_source,
    check_passage,
    check_passages_document,
    check_source,
    check_sources_document,
    item_id,
    read_yaml,
)

SOURCES_FILE = "sources.yaml"
PASSAGES_DIR = "passages"
RULES_DIR = "rules"


def knowledge_dir(root: Path) -> Path:
    """The ``knowledge/`` directory for ``root`` (the directory itself or the repo root)."""
    root = Path(root)
    if (root / SOURCES_FILE).exists() or (root / PASSAGES_DIR).is_dir():
        return root
    if (root / "knowledge").is_dir():
        return root / "knowledge"
    return root


def display_path(path: Path, kdir: Path) -> str:
    """``knowledge/passages/dosing.yaml``: the path as shown in messages."""
    try:
        return path.relative_to(kdir.parent).as_posix()
    except ValueError:
        return path.as_posix()


def passage_files(kdir: Path) -> list[Path]:
    pdir = kdir / PASSAGES_DIR
    return sorted(pdir.glob("*.yaml")) if pdir.is_dir() else []


def content_files(kdir: Path) -> list[Path]:
    """The files whose bytes define the store: sources.yaml and every passage file."""
    files = [kdir / SOURCES_FILE] if (kdir / SOURCES_FILE).exists() else []
    return files + passage_files(kdir)


def hash_files(kdir: Path, files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files, key=lambda p: p.relative_to(kdir).as_posix()):
        data = path.read_bytes()
        name = path.relative_to(kdir).as_posix().encode()
        digest.update(len(name).to_bytes(4, "big") + name)
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def _raise_first(problems: list, file: str, item: str) -> None:
    if problems:
        first = problems[0]
        raise KnowledgeError(file, item, first.field, first.message)


def load_sources(kdir: Path) -> dict[str, Source]:
    path = kdir / SOURCES_FILE
    shown = display_path(path, kdir)
    if not path.exists():
        raise KnowledgeError(shown, "", "", "file not found")
    doc = read_yaml(path, shown)
    _raise_first(check_sources_document(doc), shown, "")
    sources: dict[str, Source] = {}
    for index, raw in enumerate(doc["sources"]):
        item = item_id(raw) or f"sources[{index}]"
        _raise_first(check_source(raw), shown, item)
        if raw["id"] in sources:
            raise KnowledgeError(shown, item, "id", "duplicate source id")
        sources[raw["id"]] = build_source(raw)
    return sources


def load_passage_file(path: Path, kdir: Path) -> list[Passage]:
    shown = display_path(path, kdir)
    topic = path.stem
    if topic not in TOPICS:
        raise KnowledgeError(shown, "", "topic", f"unknown topic file name {topic!r}")
    doc = read_yaml(path, shown)
    _raise_first(check_passages_document(doc, topic), shown, "")
    relative = path.relative_to(kdir).as_posix()
    passages = []
    for index, raw in enumerate(doc["passages"]):
        _raise_first(check_passage(raw), shown, item_id(raw) or f"passages[{index}]")
        passages.append(build_passage(raw, topic, relative))
    return passages


class KnowledgeStore:
    """Sources by id and passages in file order; read-only after ``load``."""

    def __init__(
        self, sources: dict[str, Source], passages: list[Passage], content_hash: str
    ) -> None:
        self.sources: dict[str, Source] = dict(sources)
        self.passages: list[Passage] = list(passages)
        self._by_id = {p.id: p for p in self.passages}
        self._hash = content_hash

    @classmethod
    def load(cls, root: Path) -> KnowledgeStore:
        """Read ``knowledge/sources.yaml`` and ``knowledge/passages/*.yaml``.

        ``root`` is the knowledge directory or the repository root containing it.
        """
        kdir = knowledge_dir(Path(root))
        sources = load_sources(kdir)
        passages: list[Passage] = []
        seen: dict[str, str] = {}
        for path in passage_files(kdir):
            for passage in load_passage_file(path, kdir):
                if passage.id in seen:
                    raise KnowledgeError(
                        display_path(path, kdir),
                        passage.id,
                        "id",
                        f"duplicate passage id (also in {seen[passage.id]})",
                    )
                seen[passage.id] = passage.file
                passages.append(passage)
        return cls(sources, passages, hash_files(kdir, content_files(kdir)))

    def source(self, source_id: str) -> Source:
        """The source with this id; ``KeyError`` if unknown."""
        return self.sources[source_id]

    def passage(self, passage_id: str) -> Passage:
        """The passage with this id; ``KeyError`` if unknown."""
        return self._by_id[passage_id]

    def passages_for_topic(self, topic: str) -> list[Passage]:
        return [p for p in self.passages if p.topic == topic]

    def sources_of(self, passage: Passage) -> list[Source]:
        """The passage's cited sources that exist, in citation order."""
        return [self.sources[s] for s in passage.sources if s in self.sources]

    def content_hash(self) -> str:
        """sha256 over the bytes of sources.yaml and passages/*.yaml (sorted by path)."""
        return self._hash
