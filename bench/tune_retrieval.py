"""Choose the retrieval parameters on the DEV split only and print them.

Usage:
    python bench/tune_retrieval.py [--folds 5] [--repeats 20]

The test split is never read. Each dev question is encoded once (``Retriever.signals``); the
rest is arithmetic on those signals, in two steps:

1. Ranking: ``title_weight``, ``lexical_weight`` and ``question_weight`` on a small grid,
   maximising dev Recall@3 + Recall@1 (MRR breaks ties, then the smaller weights win).
   Cross-validated: the grid choice made on 4/5 of the answerable dev questions is scored on
   the 5th, so the printed CV figures say how much of the gain is real rather than fitted.
2. Abstention: a logistic regression (balanced classes, L2, C=1) predicting "answerable" from
   explainable features of the question text (``Retriever.answerability``,
   ``ABSTENTION_FEATURES``): the best text score, the vocabulary coverage, whether the
   question names LDN/naltrexone, the best title-view cosine, whether it refers to the drug
   as "it"/"this drug", the specific coverage (unknown common English words neutral), the
   best cosine with a hand-written passage question (``questions:``) and the best cosine with
   an off-topic reference question (``knowledge/offtopic.yaml``). Nested feature sets
   (``FEATURE_SETS``) are compared by repeated k-fold CV; the one with the better CV
   off-topic-abstained - 2 x wrongly-abstained wins (the smaller on a tie). Its coefficients
   fitted on the whole dev split are printed for knowledge/retrieval.yaml.

Copy the printed values into knowledge/retrieval.yaml by hand.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
import tempfile
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from bench.retrieval_benchmark import KNOWLEDGE, Question, load_questions, served_encoder
from ldn_core.retrieval import Retriever
from ldn_core.retrieval.retriever import (
    ABSTENTION_FEATURES,
    QuerySignals,
    RetrievalConfig,
)

TITLE_WEIGHTS = [0.0, 0.1, 0.2, 0.3]
LEXICAL_WEIGHTS = [0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4]
QUESTION_WEIGHTS = [0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0]
FEATURES = ABSTENTION_FEATURES
BASE = ("score", "coverage", "names")
# Candidate abstention models (feature names), compared by CV on dev. The sets with the
# former `match` feature (weight 0 when chosen) were dropped with it (docs/retrieval-report.md).
FEATURE_SETS = {
    "score coverage names": BASE,
    "+ refers": (*BASE, "refers"),
    "+ refers title": (*BASE, "title", "refers"),
    "+ refers specific": (*BASE, "refers", "specific"),
    "+ refers title specific": (*BASE, "title", "refers", "specific"),
    "+ refers title specific question": (*BASE, "title", "refers", "specific", "question"),
    "+ refers specific question": (*BASE, "refers", "specific", "question"),
    "+ refers title specific offtopic": (*BASE, "title", "refers", "specific", "offtopic"),
    "+ refers title specific question offtopic": FEATURES,
    "+ refers specific question offtopic": (*BASE, "refers", "specific", "question", "offtopic"),
}

Data = list[tuple[Question, QuerySignals]]


def ranks(retriever: Retriever, data: Data, cfg: RetrievalConfig) -> list[int | None]:
    out = []
    for q, s in data:
        ids = [h.passage.id for h in retriever.decide(s, config=cfg).candidates]
        out.append(next((i + 1 for i, pid in enumerate(ids) if pid in q.answers), None))
    return out


def ranking_key(rs: list[int | None]) -> tuple[float, float]:
    n = max(len(rs), 1)
    r1 = sum(r == 1 for r in rs) / n
    r3 = sum(r is not None and r <= 3 for r in rs) / n
    mrr = sum(1 / r for r in rs if r) / n
    return r1 + r3, mrr


def recall(rs: list[int | None]) -> tuple[float, float]:
    n = max(len(rs), 1)
    return sum(r == 1 for r in rs) / n, sum(r is not None and r <= 3 for r in rs) / n


def tune_ranking(retriever: Retriever, answerable: Data, base: RetrievalConfig, folds: int):
    grid = list(itertools.product(TITLE_WEIGHTS, LEXICAL_WEIGHTS, QUESTION_WEIGHTS))
    table = {
        g: ranks(
            retriever,
            answerable,
            dataclasses.replace(base, title_weight=g[0], lexical_weight=g[1], question_weight=g[2]),
        )
        for g in grid
    }

    def choose(idx: list[int]) -> tuple[float, float]:
        def key(g):
            r1r3, mrr = ranking_key([table[g][i] for i in idx])
            return (round(r1r3, 6), round(mrr, 6), -sum(g))

        return max(grid, key=key)

    everything = list(range(len(answerable)))
    best = choose(everything)
    for g in grid:
        r1, r3 = recall(table[g])
        mark = "  <- chosen" if g == best else ""
        if g[2] in (0.0, best[2]) or mark:
            print(
                f"  title_weight {g[0]:<4} lexical_weight {g[1]:<5} question_weight {g[2]:<5}"
                f" R@1 {r1:.3f}  R@3 {r3:.3f}{mark}"
            )
    order = np.random.default_rng(0).permutation(len(answerable))
    held: list[int | None] = [None] * len(answerable)
    for k in range(folds):
        test = [int(i) for i in order[k::folds]]
        chosen = choose([i for i in everything if i not in set(test)])
        for i in test:
            held[i] = table[chosen][i]
    r1, r3 = recall(held)
    print(f"  {folds}-fold CV of this choice: R@1 {r1:.3f}  R@3 {r3:.3f}")
    return best


def features(retriever: Retriever, data: Data, cfg: RetrievalConfig) -> np.ndarray:
    rows = []
    for _, s in data:
        found = retriever.answerability(s, cfg).features
        rows.append([found[name] for name in FEATURES])
    return np.array(rows)


def fit(x: np.ndarray, y: np.ndarray) -> LogisticRegression:
    return LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit(x, y)


def cross_validate(x: np.ndarray, y: np.ndarray, folds: int, repeats: int) -> tuple[float, float]:
    rng = np.random.default_rng(1)
    off, wrong = [], []
    for _ in range(repeats):
        order = rng.permutation(len(y))
        abstain = np.zeros(len(y), dtype=bool)
        for k in range(folds):
            test = order[k::folds]
            train = np.setdiff1d(order, test)
            abstain[test] = fit(x[train], y[train]).decision_function(x[test]) < 0
        off.append(abstain[~y].mean())
        wrong.append(abstain[y].mean())
    return float(np.mean(off)), float(np.mean(wrong))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args(argv)

    questions = load_questions("dev")
    encoder = served_encoder()
    with tempfile.TemporaryDirectory() as cache:
        retriever = Retriever.from_knowledge(KNOWLEDGE, encoder, Path(cache))
    data = [(q, retriever.signals(q.q)) for q in questions]
    answerable = [(q, s) for q, s in data if q.answerable]
    print(f"dev questions: {len(data)} ({len(answerable)} answerable)")

    off = dataclasses.replace(  # the abstention model off: features only, no decision
        retriever.config,
        answerable_bias=0.0,
        **{f"answerable_{name}": 0.0 for name in FEATURES},
    )
    print("\nranking (no hints):")
    title_weight, lexical_weight, question_weight = tune_ranking(
        retriever, answerable, off, args.folds
    )
    cfg = dataclasses.replace(
        off,
        title_weight=title_weight,
        lexical_weight=lexical_weight,
        question_weight=question_weight,
    )

    x = features(retriever, data, cfg)
    y = np.array([q.answerable for q, _ in data])
    print("\nabstention features (answerable 5th/10th/25th pct | off-topic 75th/90th/95th pct):")
    for j, name in enumerate(FEATURES):
        a = np.percentile(x[y, j], [5, 10, 25]).round(3)
        o = np.percentile(x[~y, j], [75, 90, 95]).round(3)
        print(f"  {name:9s} {a} | {o}")
    candidates = {
        label: [FEATURES.index(n) for n in names] for label, names in FEATURE_SETS.items()
    }
    results = {}
    for label, cols in candidates.items():
        cv_off, cv_wrong = cross_validate(x[:, cols], y, args.folds, args.repeats)
        results[label] = (cv_off, cv_wrong)
        print(
            f"  {label:28s} {args.repeats}x{args.folds}-fold CV: off-topic abstained "
            f"{cv_off:.3f}, answerable wrongly abstained {cv_wrong:.3f}"
        )
    label = max(
        candidates,
        key=lambda k: (round(results[k][0] - 2 * results[k][1], 6), -len(candidates[k])),
    )
    cols = candidates[label]
    cv_off, cv_wrong = results[label]
    model = fit(x[:, cols], y)
    fitted = model.decision_function(x[:, cols]) < 0
    print(f"  chosen: {label}")
    print(
        f"  {args.repeats}x{args.folds}-fold CV: off-topic abstained {cv_off:.3f}, "
        f"answerable wrongly abstained {cv_wrong:.3f}"
    )
    print(
        f"  fitted on all dev: off-topic abstained {fitted[~y].mean():.3f}, "
        f"answerable wrongly abstained {fitted[y].mean():.3f}"
    )
    coef = dict.fromkeys(FEATURES, 0.0)
    coef.update(zip([FEATURES[c] for c in cols], model.coef_[0], strict=True))
    print("\nchosen on dev (knowledge/retrieval.yaml):")
    print(f"title_weight: {title_weight}")
    print(f"lexical_weight: {lexical_weight}")
    print(f"question_weight: {question_weight}")
    print(f"answerable_bias: {model.intercept_[0]:.3f}")
    for name, value in coef.items():
        print(f"answerable_{name}: {value:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
