"""Short direct answers (``knowledge/answers.yaml``): the first line of a reply to a yes/no
or how/when question, in the store's own curated words.

Each entry belongs to one passage and inherits its sources and evidence level, so it is
cited like the passage; ``cue`` (a regular expression) limits it to the questions it
answers ("do the dreams go away?" rather than any question about dreams).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ldn_core.knowledge.model import Passage

ANSWERS_FILE = "answers.yaml"
MAX_ANSWER_CHARS = 240


class ShortAnswerError(ValueError):
    pass


@dataclass(frozen=True)
class ShortAnswer:
    passage_id: str
    text: str
    cue: re.Pattern[str] | None = None

    def fits(self, question: str) -> bool:
        return self.cue is None or bool(self.cue.search(question))


def load_short_answers(kdir: Path, passage_ids: set[str]) -> dict[str, list[ShortAnswer]]:
    """passage id -> its short answers, most specific (with a cue) first."""
    path = Path(kdir) / ANSWERS_FILE
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("answers")
    if not isinstance(entries, list):
        raise ShortAnswerError(f"{path}: expected a top-level 'answers:' list")
    out: dict[str, list[ShortAnswer]] = {}
    for number, entry in enumerate(entries, 1):
        where = f"{path.name} entry {number}"
        if not isinstance(entry, dict) or set(entry) - {"passage", "answer", "cue"}:
            raise ShortAnswerError(f"{where}: keys are passage, answer and optional cue")
        pid, text, cue = entry.get("passage"), entry.get("answer"), entry.get("cue")
        if pid not in passage_ids:
            raise ShortAnswerError(f"{where}: unknown passage {pid!r}")
        if not isinstance(text, str) or not text.strip():
            raise ShortAnswerError(f"{where}: 'answer' must be non-empty text")
        text = " ".join(text.split())
        if len(text) > MAX_ANSWER_CHARS:
            raise ShortAnswerError(f"{where}: answer longer than {MAX_ANSWER_CHARS} characters")
        try:
            pattern = re.compile(cue, re.IGNORECASE) if cue else None
        except re.error as err:
            raise ShortAnswerError(f"{where}: bad cue {cue!r}: {err}") from err
        out.setdefault(pid, []).append(ShortAnswer(pid, text, pattern))
    for answers in out.values():
        answers.sort(key=lambda a: a.cue is None)
    return out


def short_answer_for(
    question: str,
    passages: list[Passage],
    answers: dict[str, list[ShortAnswer]],
    cued_only: bool = False,
) -> tuple[ShortAnswer, Passage] | None:
    """The first fitting short answer among the passages, in their order; ``cued_only``
    considers only answers written for a kind of question (with a ``cue``)."""
    for passage in passages:
        for answer in answers.get(passage.id, ()):
            if (answer.cue is not None or not cued_only) and answer.fits(question):
                return answer, passage
    return None
