"""Realistic clinician messages end to end: cited-answer rate, decline rate and topic
accuracy per message style (eval/realistic/*.yml).

Usage:
    python bench/realistic_benchmark.py --set dev --start          # starts its own stack
    python bench/realistic_benchmark.py --set dev --url http://127.0.0.1:5005
    python bench/realistic_benchmark.py --set dev2 --in-process     # core router only, quick
    python bench/realistic_benchmark.py --set heldout --start --json results/realistic-heldout.json

Each item is sent over REST exactly as a clinician's client would (a fresh conversation per
item; follow-up items send their turns in order) and only the reply to the last turn is
scored:
- in scope (``expect: answer``): *cited* when the reply carries at least one citation; *on
  topic* when a shown passage's topic, a shown passage id, the screening verdict or the
  schedule matches what the item lists; an item counts as answered when both hold;
- out of scope (``expect: decline``): declined when the reply is a decline or a "no cited
  answer" and carries no clinical statement.
Decisions are made on ``dev`` and ``dev2``; ``heldout`` is measured, never tuned on
(eval/realistic/README.md).
Requests go only to the given local URL, one at a time, and the run stops by itself.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

SETS = ROOT / "eval" / "realistic"
DECLINE_KINDS = frozenset({"out_of_scope", "no_answer"})


@dataclass(frozen=True)
class Item:
    id: str
    style: str
    turns: tuple[str, ...]
    expect: str  # answer | decline
    topics: frozenset[str] = frozenset()
    passages: frozenset[str] = frozenset()
    verdicts: frozenset[str] = frozenset()
    store_gap: bool = False  # a sensible LDN question the store has no passage for


@dataclass
class Outcome:
    item: Item
    kind: str | None
    cited: bool
    on_topic: bool
    clinical: bool  # the reply carries clinical statements
    seconds: float
    shown_topics: tuple[str, ...] = ()
    verdict: str | None = None

    @property
    def success(self) -> bool:
        if self.item.expect == "decline":
            return not self.clinical and (self.kind in DECLINE_KINDS or self.kind is None)
        return self.cited and self.on_topic

    @property
    def gap_handled(self) -> bool:
        """A store-gap question gets either a cited on-topic answer or an honest "no cited
        answer" (never a decline as off-topic, nor a verdict or passages on another topic)."""
        return self.success or self.kind == "no_answer"


def load_items(path: Path) -> list[Item]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = []
    for raw in data.get("items") or []:
        turns = raw.get("turns")
        if (
            not isinstance(turns, list)
            or not turns
            or raw.get("expect") not in ("answer", "decline")
        ):
            raise ValueError(
                f"{path}: item {raw.get('id')!r} needs turns and expect answer|decline"
            )
        items.append(
            Item(
                id=str(raw["id"]),
                style=str(raw.get("style") or "unknown"),
                turns=tuple(str(t) for t in turns),
                expect=raw["expect"],
                topics=frozenset(raw.get("topics") or ()),
                passages=frozenset(raw.get("passages") or ()),
                verdicts=frozenset(raw.get("verdict") or ()),
                store_gap=bool(raw.get("store_gap")),
            )
        )
    return items


def judge(item: Item, payload: dict, passage_topic: dict[str, str], seconds: float) -> Outcome:
    """Score the structured payload of the reply to an item's last turn."""
    kind = payload.get("kind")
    points = payload.get("points") or []
    shown = [p.get("id") for p in points if p.get("id")]
    base_ids = [pid.split("#", 1)[0] for pid in shown]
    topics = tuple(dict.fromkeys(passage_topic[p] for p in base_ids if p in passage_topic))
    screening = payload.get("screening") or {}
    verdict = screening.get("verdict")
    on_topic = bool(
        set(topics) & item.topics
        or set(base_ids) & item.passages
        or (verdict and verdict in item.verdicts)
        or (verdict and "screening" in item.topics)
        or ("schedule" in payload and ("schedule" in item.topics or "dosing" in item.topics))
    )
    return Outcome(
        item=item,
        kind=kind,
        cited=bool(payload.get("citations")),
        on_topic=on_topic,
        clinical=bool(points) and kind not in DECLINE_KINDS,
        seconds=seconds,
        shown_topics=topics,
        verdict=verdict,
    )


@dataclass
class Tally:
    answer_items: int = 0
    answered: int = 0
    cited: int = 0
    cited_on_topic: int = 0
    decline_items: int = 0
    declined: int = 0
    covered_items: int = 0  # in scope and covered by the store (not a store gap)
    covered_answered: int = 0
    gap_items: int = 0
    gap_handled: int = 0
    latencies: list[float] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.latencies.append(outcome.seconds)
        if outcome.item.expect == "decline":
            self.decline_items += 1
            self.declined += outcome.success
            return
        self.answer_items += 1
        self.answered += outcome.success
        self.cited += outcome.cited
        self.cited_on_topic += outcome.cited and outcome.on_topic
        if outcome.item.store_gap:
            self.gap_items += 1
            self.gap_handled += outcome.gap_handled
        else:
            self.covered_items += 1
            self.covered_answered += outcome.success


def rate(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.3f} ({numerator}/{denominator})" if denominator else "-"


def report(outcomes: list[Outcome]) -> dict:
    by_style: dict[str, Tally] = defaultdict(Tally)
    total = Tally()
    for outcome in outcomes:
        by_style[outcome.item.style].add(outcome)
        total.add(outcome)
    # "answered" counts every in-scope item, store gaps included (a gap can only pass with a
    # cited on-topic answer); "covered" leaves the gaps out, and "gaps handled" counts a gap
    # answered or met with an honest "no cited answer" (eval/realistic/README.md).
    header = (
        f"{'style':<16} {'answered (cited+on topic)':<28} {'cited':<18} {'topic acc.':<18} "
        f"{'declined':<16} {'covered answered':<20} {'gaps handled':<14}"
    )
    print(header)
    print("-" * len(header))
    summary = {}
    for style, tally in sorted(by_style.items()) + [("ALL", total)]:
        print(
            f"{style:<16} {rate(tally.answered, tally.answer_items):<28} "
            f"{rate(tally.cited, tally.answer_items):<18} "
            f"{rate(tally.cited_on_topic, tally.cited):<18} "
            f"{rate(tally.declined, tally.decline_items):<16} "
            f"{rate(tally.covered_answered, tally.covered_items):<20} "
            f"{rate(tally.gap_handled, tally.gap_items):<14}"
        )
        summary[style] = {
            "answer_items": tally.answer_items,
            "answered": tally.answered,
            "cited": tally.cited,
            "cited_on_topic": tally.cited_on_topic,
            "decline_items": tally.decline_items,
            "declined": tally.declined,
            "covered_items": tally.covered_items,
            "covered_answered": tally.covered_answered,
            "gap_items": tally.gap_items,
            "gap_handled": tally.gap_handled,
        }
    latencies = sorted(total.latencies)
    if latencies:
        p50 = statistics.median(latencies) * 1000
        p95 = latencies[int(0.95 * (len(latencies) - 1))] * 1000
        print(
            f"\nlast-turn latency: p50 {p50:.0f} ms, p95 {p95:.0f} ms over {len(latencies)} items"
        )
        summary["latency_ms"] = {"p50": round(p50, 1), "p95": round(p95, 1)}
    return summary


def post(url: str, sender: str, text: str, timeout: float = 60) -> tuple[dict, float]:
    import requests

    started = time.perf_counter()
    response = requests.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=timeout
    )
    took = time.perf_counter() - started
    response.raise_for_status()
    payloads = [m["custom"] for m in response.json() if isinstance(m.get("custom"), dict)]
    return (payloads[-1] if payloads else {}), took


def run_items(url: str, items: list[Item], passage_topic: dict[str, str]) -> list[Outcome]:
    outcomes = []
    for number, item in enumerate(items, 1):
        sender = f"bench-{item.id}-{uuid.uuid4().hex[:6]}"
        payload, took = {}, 0.0
        for turn in item.turns:
            payload, took = post(url, sender, turn)
        outcomes.append(judge(item, payload, passage_topic, took))
        if number % 50 == 0:
            print(f"  {number}/{len(items)} items", file=sys.stderr, flush=True)
    return outcomes


def run_items_in_process(items: list[Item], passage_topic: dict[str, str]) -> list[Outcome]:
    """The core router alone, without the NLU (no intent hints): a quick lower bound for
    decisions on dev. The deployed figures come from the REST mode."""
    import datetime as dt

    from ldn_core.assistant import Assistant
    from ldn_core.render import to_payload
    from ldn_core.respond import State, Turn

    assistant = Assistant.load()
    today = dt.date.today()
    outcomes = []
    for item in items:
        state, payload, took = State(), {}, 0.0
        for turn in item.turns:
            started = time.perf_counter()
            reply = assistant.respond(Turn(turn), state, today)
            took = time.perf_counter() - started
            payload = to_payload(reply.answer) if reply.answer else {}
            state = State(reply.context, reply.facts, reply.screening_pending, reply.passages)
        outcomes.append(judge(item, payload, passage_topic, took))
    return outcomes


def passage_topics() -> dict[str, str]:
    from ldn_core.knowledge import KnowledgeStore

    store = KnowledgeStore.load(ROOT / "knowledge")
    return {p.id: p.topic for p in store.passages}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set",
        choices=["dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "heldout"],
        default="dev",
    )
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--start", action="store_true", help="start a stack for the run")
    parser.add_argument(
        "--in-process", action="store_true", help="the core router alone, no NLU hints (quick)"
    )
    parser.add_argument("--json", type=Path, help="write per-item outcomes and the summary")
    parser.add_argument(
        "--failures", action="store_true", help="list failed items (never for heldout tuning)"
    )
    args = parser.parse_args(argv)
    items = load_items(SETS / f"{args.set}.yml")
    topics = passage_topics()
    print(f"set {args.set}: {len(items)} items", flush=True)
    if args.in_process:
        outcomes = run_items_in_process(items, topics)
    elif args.start:
        import tempfile

        from scripts.stack import Stack, stack_env

        with tempfile.TemporaryDirectory(prefix="ldn-bench-") as data_dir:
            env = stack_env(
                {
                    "RASA_PORT": "5205",
                    "ACTION_PORT": "5255",
                    "LDN_DATA_DIR": data_dir,
                    "LDN_TRACKER_DB": f"{data_dir}/tracker.db",
                }
            )
            print("starting a stack on ports 5205/5255 ...", file=sys.stderr, flush=True)
            with Stack(env=env, quiet=True) as stack:
                outcomes = run_items(stack.rasa_url, items, topics)
    else:
        outcomes = run_items(args.url, items, topics)
    summary = report(outcomes)
    if args.failures:
        for o in outcomes:
            if not o.success:
                print(
                    f"  FAIL {o.item.id} [{o.item.style}] kind={o.kind} cited={o.cited} "
                    f"topics={','.join(o.shown_topics)} verdict={o.verdict} "
                    f"want={','.join(sorted(o.item.topics | o.item.verdicts))} "
                    f":: {o.item.turns[-1][:110]!r}"
                )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "set": args.set,
                    "summary": summary,
                    "items": [
                        {
                            "id": o.item.id,
                            "style": o.item.style,
                            "success": o.success,
                            "kind": o.kind,
                            "cited": o.cited,
                            "on_topic": o.on_topic,
                            "topics": list(o.shown_topics),
                            "verdict": o.verdict,
                            "ms": round(o.seconds * 1000, 1),
                        }
                        for o in outcomes
                    ],
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
