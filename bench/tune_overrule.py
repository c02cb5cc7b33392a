"""Choose ``overrule_out_of_scope_at`` (knowledge/retrieval.yaml) on the DEV split only.

Usage:
    python bench/tune_overrule.py --nlu-model models/ldn-X.tar.gz

Among the dev questions the trained NLU reads as out_of_scope or nlu_fallback, counts for each
margin how many answerable ones the store would answer (and with the right passage first) and
how many off-topic ones it would newly answer. The rule: the smallest margin (0.5 steps) at
which no dev off-topic question is newly answered, since refusing an off-topic question
matters more here than recovering an answerable one. Copy the printed value by hand.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench.retrieval_benchmark import KNOWLEDGE, load_questions, nlu_parses, served_encoder
from ldn_core.retrieval import Retriever

UNSURE_OR_REFUSED = frozenset({"out_of_scope", "nlu_fallback"})
MARGINS = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nlu-model", type=Path, required=True)
    args = parser.parse_args(argv)
    questions = load_questions("dev")
    parses = nlu_parses(args.nlu_model.resolve(), [q.q for q in questions])
    refused = [q for q in questions if parses[q.q]["intent"] in UNSURE_OR_REFUSED]
    encoder = served_encoder()
    with tempfile.TemporaryDirectory() as cache:
        retriever = Retriever.from_knowledge(KNOWLEDGE, encoder, Path(cache))
    scored = []
    for q in refused:
        result = retriever.retrieve(q.q)
        logit = result.answerability if not result.abstained else float("-inf")
        first = result.candidates[0].passage.id if result.candidates else None
        scored.append((q, logit, first in q.answers))
    answerable = sum(q.answerable for q, _, _ in scored)
    print(f"dev: {len(refused)} of {len(questions)} questions read as out of scope or unsure "
          f"({answerable} answerable, {len(refused) - answerable} off-topic)")  # fmt: skip
    chosen = None
    for margin in MARGINS:
        over = [(q, right) for q, logit, right in scored if logit >= margin]
        recovered = sum(q.answerable for q, _ in over)
        right = sum(q.answerable and r for q, r in over)
        wrong = sum(not q.answerable for q, _ in over)
        print(f"  margin {margin:3.1f}: answerable answered {recovered:3d} (right passage first "
              f"{right:3d}); off-topic newly answered {wrong:3d}")  # fmt: skip
        if chosen is None and wrong == 0:
            chosen = margin
    print(f"chosen on dev (knowledge/retrieval.yaml):\noverrule_out_of_scope_at: {chosen}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
