"""Choose the retrieval parameters on the DEV split only and print them.

Usage:
    python bench/tune_retrieval.py [--show-grid]

The test split is never read. Each dev question is encoded once (``Retriever.signals``), then
the grid is evaluated with ``Retriever.decide`` (no re-encoding), in two steps:

1. ``lexical_weight`` (ranking): maximise dev Recall@3 + Recall@1 (+ MRR as tie-break), no hints.
2. ``abstain_below`` and ``min_coverage`` (abstention), with that weight fixed: maximise
   off-topic abstention recall - 2 x answerable-wrongly-abstained; among equally good settings
   take the middle of the plateau, so the thresholds sit away from the nearest dev question.

Copy the printed values into knowledge/retrieval.yaml by hand.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from retrieval_benchmark import KNOWLEDGE, Question, load_questions  # noqa: E402

from ldn_core.retrieval import Retriever  # noqa: E402
from ldn_core.retrieval.encoder import MiniLMEncoder  # noqa: E402
from ldn_core.retrieval.retriever import QuerySignals, RetrievalConfig  # noqa: E402

LEXICAL_WEIGHTS = [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5]
ABSTAIN_BELOW = [round(x, 3) for x in np.arange(0.10, 0.601, 0.01)]
MIN_COVERAGE = [round(x, 3) for x in np.arange(0.0, 0.901, 0.05)]


def ranking_metrics(
    retriever: Retriever, data: list[tuple[Question, QuerySignals]], cfg: RetrievalConfig
) -> tuple[float, float, float]:
    r1 = r3 = mrr = 0.0
    answerable = [(q, s) for q, s in data if q.answerable]
    for q, s in answerable:
        ids = [h.passage.id for h in retriever.decide(s, config=cfg).candidates]
        rank = next((i + 1 for i, pid in enumerate(ids) if pid in q.answers), None)
        r1 += rank == 1
        r3 += rank is not None and rank <= 3
        mrr += 1 / rank if rank else 0.0
    n = max(len(answerable), 1)
    return r1 / n, r3 / n, mrr / n


def abstention_rates(
    data: list[tuple[Question, QuerySignals]], abstain_below: float, min_coverage: float
) -> tuple[float, float]:
    """(share of off-topic abstained, share of answerable wrongly abstained)."""

    def abstains(s: QuerySignals) -> bool:
        return s.top_similarity < abstain_below or s.coverage < min_coverage

    off = [s for q, s in data if not q.answerable]
    ans = [s for q, s in data if q.answerable]
    return (
        sum(map(abstains, off)) / max(len(off), 1),
        sum(map(abstains, ans)) / max(len(ans), 1),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-grid", action="store_true")
    args = parser.parse_args(argv)

    questions = load_questions("dev")
    with tempfile.TemporaryDirectory() as cache:
        retriever = Retriever.from_knowledge(KNOWLEDGE, MiniLMEncoder(), Path(cache))
    data = [(q, retriever.signals(q.q)) for q in questions]
    print(f"dev questions: {len(data)} ({sum(q.answerable for q, _ in data)} answerable)")

    base = dataclasses.replace(retriever.config, abstain_below=0.0, min_coverage=0.0)
    scored = []
    for w in LEXICAL_WEIGHTS:
        r1, r3, mrr = ranking_metrics(retriever, data, dataclasses.replace(base, lexical_weight=w))
        scored.append(((r3 + r1, mrr), w))
        print(f"  lexical_weight {w:<5} R@1 {r1:.3f}  R@3 {r3:.3f}  MRR {mrr:.3f}")
    best_key = max(k for k, _ in scored)
    weight = min(w for k, w in scored if k == best_key)  # the smallest weight among the best

    grid = {}
    for a in ABSTAIN_BELOW:
        for c in MIN_COVERAGE:
            off, wrong = abstention_rates(data, a, c)
            grid[(a, c)] = (off - 2 * wrong, off, wrong)
    top = max(v[0] for v in grid.values())
    plateau = [key for key, v in grid.items() if v[0] == top]
    if args.show_grid:
        for key in plateau:
            print("  plateau", key, grid[key])
    coverage = statistics.median_low(sorted({c for _, c in plateau}))
    below = statistics.median_low(sorted(a for a, c in plateau if c == coverage))
    _, off, wrong = grid[(below, coverage)]

    print("\nchosen on dev:")
    print(f"  lexical_weight: {weight}")
    print(f"  abstain_below: {below}")
    print(f"  min_coverage: {coverage}")
    print(f"  (dev: off-topic abstained {off:.3f}, answerable wrongly abstained {wrong:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
