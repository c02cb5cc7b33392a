"""Retrieval benchmark: recall, MRR, abstention quality and latency on one question split.

Usage:
    python bench/retrieval_benchmark.py [--split test|dev|all] [--show-failures]
                                        [--nlu-model models/ldn-X.tar.gz]

Builds the passage index cold (temporary cache dir) with the real MiniLM encoder, runs every
question of the split through ``Retriever.retrieve`` without NLU hints (pure text), and prints
the metrics with PASS/FAIL against the targets. Always exits 0: it measures, it does not gate.

With ``--nlu-model`` it measures the path a clinician's question takes in the assistant
instead: the trained NLU classifies it (bench/nlu_parse.py, in the Rasa venv; parses are
cached under results/nlu-parses/); questions the dialogue sends elsewhere (out of scope,
clarifying question, a form, small talk) are counted as not answered from the store, and the
others go through ``Assistant.search`` with the NLU's intent and entities, exactly as
``action_answer_question`` does (dosing questions always answered with the dosing rules); an
out_of_scope or nlu_fallback reading is overruled when the store answers with confidence
(``Assistant.overrules_out_of_scope``, as actions/fallback.py does outside a form).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from ldn_core.assistant import Assistant, answers_from_store
from ldn_core.retrieval import Retriever
from ldn_core.retrieval.tuning import tuned_encoder
from ldn_core.routing import INTENT_TOPICS
from ldn_core.settings import Settings

REPO = Path(__file__).resolve().parent.parent

# Intents whose question the router always searches with their topic hints
# (data/rules/respond.yml sends them to action_respond; a test keeps the two in step). The
# full routed path, with declines and verdicts, is measured by bench/realistic_benchmark.py.
ANSWERED_FROM_STORE = frozenset(INTENT_TOPICS) | {"followup"}
# Refusals and clarifying questions that a confident store answer replaces (no form active).
OVERRULABLE = frozenset({"out_of_scope", "nlu_fallback"})
RASA_PYTHON = REPO / ".venv" / "rasa" / "bin" / "python"
PARSE_CACHE = REPO / "results" / "nlu-parses"

QUESTIONS_DIR = REPO / "eval" / "retrieval"
KNOWLEDGE = REPO / "knowledge"

TARGETS = {
    "recall@3": (">=", 0.95),
    "recall@1": (">=", 0.85),
    "offtopic_abstained": (">=", 0.95),
    "answerable_wrongly_abstained": ("<=", 0.05),
    "latency_p50_ms": ("<=", 20.0),
}


@dataclass(frozen=True)
class Question:
    q: str
    answers: tuple[str, ...]
    split: str
    file: str

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


def served_encoder():
    """The encoder the assistant serves with: MiniLM tuned on this store (built if missing)."""
    return tuned_encoder(KNOWLEDGE, Settings.from_env().encoder_dir, print)


def load_questions(split: str, directory: Path = QUESTIONS_DIR) -> list[Question]:
    """Questions of ``split`` ("dev", "test" or "all") from every file of the directory."""
    out: list[Question] = []
    for path in sorted(directory.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for raw in doc.get("questions") or []:
            if split != "all" and raw["split"] != split:
                continue
            out.append(Question(raw["q"], tuple(raw.get("answers") or ()), raw["split"], path.name))
    return out


@dataclass(frozen=True)
class Outcome:
    question: Question
    ranking: list[str]  # passage ids, before abstention and before the top_k/keep_within cut
    returned: list[str]  # what retrieve() hands to the caller
    abstained: bool
    latency_ms: float
    route: str = "store"  # with --nlu-model: the intent when the dialogue does not search


def ranking_of(retriever: Retriever, question: str) -> tuple[list[str], list[str], bool]:
    result = retriever.retrieve(question)
    ranking = [h.passage.id for h in result.candidates or result.hits]
    return ranking, [h.passage.id for h in result.hits], result.abstained


def run(retriever: Retriever, questions: list[Question]) -> list[Outcome]:
    retriever.retrieve("warm-up query about the LDN starting dose")
    outcomes = []
    for q in questions:
        started = time.perf_counter()
        ranking, returned, abstained = ranking_of(retriever, q.q)
        elapsed = (time.perf_counter() - started) * 1000
        outcomes.append(Outcome(q, ranking, returned, abstained, elapsed))
    return outcomes


def nlu_parses(model: Path, texts: list[str]) -> dict[str, dict]:
    """The NLU's parse of each text, from the cache or from bench/nlu_parse.py."""
    key = hashlib.sha256(model.read_bytes() + json.dumps(texts).encode()).hexdigest()[:16]
    cached = PARSE_CACHE / f"{model.stem}-{key}.json"
    if not cached.exists():
        if not RASA_PYTHON.exists():
            raise SystemExit(f"{RASA_PYTHON} is missing: run `make envs` first")
        PARSE_CACHE.mkdir(parents=True, exist_ok=True)
        print(f"parsing {len(texts)} questions with {model.name} (Rasa venv)...", flush=True)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(texts, handle)
        partial = cached.with_suffix(".partial")
        subprocess.run(
            [str(RASA_PYTHON), str(REPO / "bench" / "nlu_parse.py"), "--model", str(model),
             "--texts", handle.name, "--out", str(partial)],
            check=True,
        )  # fmt: skip
        partial.rename(cached)  # only a complete parse is ever cached
        Path(handle.name).unlink()
    return {row["text"]: row for row in json.loads(cached.read_text(encoding="utf-8"))}


def entity_value(parse: dict, name: str) -> str | None:
    values = [e["value"] for e in parse["entities"] if e["entity"] == name and e["value"]]
    return str(values[-1]) if values else None


def run_as_deployed(
    assistant: Assistant, questions: list[Question], parses: dict[str, dict]
) -> list[Outcome]:
    assistant.retriever.retrieve("warm-up query about the LDN starting dose")
    outcomes = []
    for q in questions:
        parse = parses[q.q]
        intent = parse["intent"]
        if intent in OVERRULABLE and assistant.overrules_out_of_scope(q.q):
            intent = None  # answered from the store after all (actions/fallback.py)
        elif intent not in ANSWERED_FROM_STORE:
            outcomes.append(Outcome(q, [], [], True, 0.0, route=intent))
            continue
        started = time.perf_counter()
        result, _ = assistant.search(
            q.q, intent, entity_value(parse, "condition"), entity_value(parse, "population")
        )
        elapsed = (time.perf_counter() - started) * 1000
        ranking = [h.passage.id for h in result.candidates or result.hits]
        answered = answers_from_store(result, intent)
        # a dosing question is answered (dosing rules) even when retrieval abstains
        returned = [h.passage.id for h in result.hits] or (ranking[:1] if answered else [])
        outcomes.append(Outcome(q, ranking, returned, not answered, elapsed))
    return outcomes


def routes(outcomes: list[Outcome]) -> str:
    """How the dialogue routed the questions it did not search the store for."""
    lines = []
    for answerable in (True, False):
        counts: dict[str, int] = {}
        for o in outcomes:
            if o.question.answerable == answerable and o.route != "store":
                counts[o.route] = counts.get(o.route, 0) + 1
        shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
        label = "answerable" if answerable else "off-topic"
        lines.append(f"{label} not sent to the store: {shown or 'none'}")
    return "\n".join(lines)


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[rank]


def metrics(outcomes: list[Outcome]) -> dict[str, float]:
    answerable = [o for o in outcomes if o.question.answerable]
    offtopic = [o for o in outcomes if not o.question.answerable]

    def rank(o: Outcome) -> int | None:
        for i, pid in enumerate(o.ranking):
            if pid in o.question.answers:
                return i + 1
        return None

    ranks = [rank(o) for o in answerable]
    n = max(len(answerable), 1)
    abstained = [o for o in outcomes if o.abstained]
    end_to_end = [
        (not o.abstained and bool(o.returned) and o.returned[0] in o.question.answers)
        if o.question.answerable
        else o.abstained
        for o in outcomes
    ]
    latencies = [o.latency_ms for o in outcomes if o.route == "store"]
    return {
        "questions": len(outcomes),
        "answerable": len(answerable),
        "offtopic": len(offtopic),
        "recall@1": sum(1 for r in ranks if r == 1) / n,
        "recall@3": sum(1 for r in ranks if r is not None and r <= 3) / n,
        "mrr": sum(1 / r for r in ranks if r is not None) / n,
        "end_to_end_accuracy": sum(end_to_end) / max(len(outcomes), 1),
        "answered_top1_correct": sum(
            1
            for o in answerable
            if not o.abstained and o.returned[:1] and o.returned[0] in o.question.answers
        )
        / n,
        "abstention_precision": (
            sum(1 for o in abstained if not o.question.answerable) / len(abstained)
            if abstained
            else 1.0
        ),
        "offtopic_abstained": (
            sum(1 for o in offtopic if o.abstained) / len(offtopic) if offtopic else 1.0
        ),
        "answerable_wrongly_abstained": sum(1 for o in answerable if o.abstained) / n,
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }


def verdict(name: str, value: float) -> str:
    op, target = TARGETS[name]
    ok = value >= target if op == ">=" else value <= target
    return f"{'PASS' if ok else 'FAIL'} (target {op} {target:g})"


def failures(outcomes: list[Outcome]) -> list[str]:
    lines = []
    for o in outcomes:
        q = o.question
        if q.answerable:
            if o.abstained:
                kind = "wrongly abstained"
            elif not (o.ranking[:3] and set(o.ranking[:3]) & set(q.answers)):
                kind = "not in top 3"
            elif o.ranking[0] not in q.answers:
                kind = "not top 1"
            else:
                continue
        else:
            if o.abstained:
                continue
            kind = "off-topic answered"
        lines.append(
            f"- [{kind}] {q.q!r} ({q.file})\n    expected: {list(q.answers) or 'abstain'}\n"
            f"    got:      {o.ranking[:3]}{' (abstained)' if o.abstained else ''}"
        )
    return lines


def report(m: dict[str, float], split: str) -> str:
    rows = [
        f"split: {split}  questions: {m['questions']:.0f} "
        f"(answerable {m['answerable']:.0f}, off-topic {m['offtopic']:.0f})",
        f"Recall@1:                      {m['recall@1']:.3f}  {verdict('recall@1', m['recall@1'])}",
        f"Recall@3:                      {m['recall@3']:.3f}  {verdict('recall@3', m['recall@3'])}",
        f"MRR:                           {m['mrr']:.3f}",
        f"end-to-end accuracy (all q):   {m['end_to_end_accuracy']:.3f}"
        "  (answerable: top-1 returned & correct; off-topic: abstained)",
        f"answerable answered correctly: {m['answered_top1_correct']:.3f}"
        "  (top-1, after abstention)",
        f"abstention precision:          {m['abstention_precision']:.3f}",
        f"off-topic abstained (recall):  {m['offtopic_abstained']:.3f}  "
        f"{verdict('offtopic_abstained', m['offtopic_abstained'])}",
        f"answerable wrongly abstained:  {m['answerable_wrongly_abstained']:.3f}  "
        f"{verdict('answerable_wrongly_abstained', m['answerable_wrongly_abstained'])}",
        f"query latency p50:             {m['latency_p50_ms']:.1f} ms  "
        f"{verdict('latency_p50_ms', m['latency_p50_ms'])}",
        f"query latency p95:             {m['latency_p95_ms']:.1f} ms",
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=["dev", "test", "all"])
    parser.add_argument("--show-failures", action="store_true")
    parser.add_argument(
        "--nlu-model",
        type=Path,
        help="measure as deployed: this trained Rasa model's intent and entities route and hint",
    )
    args = parser.parse_args(argv)
    if args.nlu_model and not args.nlu_model.is_file():
        raise SystemExit(f"--nlu-model: no file {args.nlu_model} (train with scripts/model.py)")

    started = time.perf_counter()
    encoder = served_encoder()
    print(f"encoder load: {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        retriever = Retriever.from_knowledge(KNOWLEDGE, encoder, Path(cache))
        print(
            f"index build (cold, no cache): {time.perf_counter() - started:.2f} s "
            f"for {len(retriever.store.passages)} passages"
        )
    questions = load_questions(args.split)
    if args.nlu_model:
        parses = nlu_parses(args.nlu_model.resolve(), [q.q for q in questions])
        outcomes = run_as_deployed(Assistant(retriever), questions, parses)
        print(f"as deployed: NLU of {args.nlu_model.name} routes and hints every question")
    else:
        outcomes = run(retriever, questions)
    m = metrics(outcomes)
    print(report(m, args.split))
    if args.nlu_model:
        print(routes(outcomes))
    if args.show_failures:
        lines = failures(outcomes)
        print(f"\nfailures ({len(lines)}):")
        print("\n".join(lines) if lines else "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
