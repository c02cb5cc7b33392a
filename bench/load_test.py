"""Load benchmark over REST: simulated clinicians, each conversation a fresh sender.

Usage:
    python bench/load_test.py --start                 # starts the production profile itself
    python bench/load_test.py --url http://127.0.0.1:8080 --token "$LDN_REST_TOKEN"

Three measurements, printed as tables (and written as JSON with --json):
  (a) closed loop: N concurrent clinicians send back to back, at rising N, for cited answers
      (clinical questions: NLU, Rasa, action server, retrieval, citations) and for a static
      Rasa reply ("hello": a domain response, no action server) in the same run; the highest
      throughput reached without errors is the sustainable figure, and the ratio of the two
      shows what the clinical pipeline costs.
  (b) open loop: a fixed offered load (default 10 questions/s for 60 s) of cited questions,
      latency measured from each request's scheduled start (no coordinated omission).
  (c) tracker growth: one long conversation (default 50 messages), latency of the last
      messages against the first ones.
Targets on a 2-core machine: (a) ratio >= 0.6; (b) p95 <= 500 ms with zero errors;
(c) <= 1.5x. It measures and prints PASS/FAIL; it always exits 0 unless it could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent

CITED_QUESTIONS = [
    "what is the starting dose of LDN for fibromyalgia?",
    "side effects of low dose naltrexone?",
    "can LDN be used with tramadol?",
    "how long before LDN works?",
    "is LDN safe in pregnancy?",
    "evidence for LDN in Crohn's disease?",
    "LDN in multiple sclerosis?",
    "how does LDN work?",
    "LDN and liver disease?",
    "maximum dose of LDN?",
    "LDN for CRPS?",
    "does LDN help diabetic neuropathy?",
]
STATIC_MESSAGE = "hello"


@dataclass
class Run:
    label: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    error_samples: list[str] = field(default_factory=list)

    @property
    def done(self) -> int:
        return len(self.latencies_ms)

    @property
    def throughput(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]

    def row(self) -> str:
        return (
            f"{self.label:<28} {self.done:>6} {self.errors:>6} {self.throughput:>8.1f} "
            f"{self.pct(50):>8.0f} {self.pct(95):>8.0f} {self.pct(99):>8.0f}"
        )

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "requests": self.done,
            "errors": self.errors,
            "throughput_per_s": round(self.throughput, 2),
            "p50_ms": round(self.pct(50), 1),
            "p95_ms": round(self.pct(95), 1),
            "p99_ms": round(self.pct(99), 1),
        }


HEADER = (
    f"{'run':<28} {'ok':>6} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
)


class Client:
    def __init__(self, session: aiohttp.ClientSession, url: str, token: str | None) -> None:
        self.session = session
        self.url = f"{url.rstrip('/')}/webhooks/rest/webhook"
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def send(self, sender: str, text: str, expect_citations: bool) -> None:
        async with self.session.post(
            self.url, json={"sender": sender, "message": text}, headers=self.headers
        ) as response:
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
            replies = await response.json()
        if not any(r.get("text") for r in replies):
            raise RuntimeError("empty reply")
        if expect_citations:
            payloads = [r.get("custom") or {} for r in replies]
            if not any(p.get("citations") for p in payloads):
                raise RuntimeError(f"no citations ({[p.get('kind') for p in payloads]})")


async def closed_loop(client: Client, kind: str, clients: int, seconds: float) -> Run:
    run = Run(f"closed {kind} x{clients}")
    deadline = time.monotonic() + seconds

    async def clinician(index: int) -> None:
        turn = index
        while time.monotonic() < deadline:
            sender = f"load-{uuid.uuid4().hex[:12]}"
            text = (
                STATIC_MESSAGE if kind == "static" else CITED_QUESTIONS[turn % len(CITED_QUESTIONS)]
            )
            started = time.monotonic()
            try:
                await client.send(sender, text, expect_citations=kind == "cited")
                run.latencies_ms.append((time.monotonic() - started) * 1000)
            except Exception as err:  # noqa: BLE001 - every failure is counted and sampled
                run.errors += 1
                if len(run.error_samples) < 3:
                    run.error_samples.append(str(err))
            turn += 1

    started = time.monotonic()
    await asyncio.gather(*(clinician(i) for i in range(clients)))
    run.seconds = time.monotonic() - started
    return run


async def open_loop(client: Client, rate: float, seconds: float) -> Run:
    run = Run(f"open cited {rate:g}/s x {seconds:g}s")
    total = int(rate * seconds)
    start = time.monotonic()

    async def one(index: int) -> None:
        scheduled = start + index / rate
        await asyncio.sleep(max(0.0, scheduled - time.monotonic()))
        try:
            await client.send(
                f"load-{uuid.uuid4().hex[:12]}",
                CITED_QUESTIONS[index % len(CITED_QUESTIONS)],
                expect_citations=True,
            )
            run.latencies_ms.append((time.monotonic() - scheduled) * 1000)
        except Exception as err:  # noqa: BLE001
            run.errors += 1
            if len(run.error_samples) < 3:
                run.error_samples.append(str(err))

    await asyncio.gather(*(one(i) for i in range(total)))
    run.seconds = time.monotonic() - start
    return run


async def long_conversation(client: Client, messages: int) -> list[float]:
    sender = f"load-long-{uuid.uuid4().hex[:8]}"
    latencies = []
    for index in range(messages):
        started = time.monotonic()
        await client.send(sender, CITED_QUESTIONS[index % len(CITED_QUESTIONS)], True)
        latencies.append((time.monotonic() - started) * 1000)
    return latencies


async def measure(args: argparse.Namespace, url: str, token: str | None) -> dict:
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=200)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        client = Client(session, url, token)
        print("warming up ...", flush=True)
        for question in CITED_QUESTIONS + [STATIC_MESSAGE]:
            await client.send(f"warm-{uuid.uuid4().hex[:8]}", question, question != STATIC_MESSAGE)

        print(f"\n(a) closed loop, {args.closed_seconds:g} s per level\n{HEADER}", flush=True)
        closed: dict[str, list[Run]] = {"static": [], "cited": []}
        for clients in args.levels:
            for kind in ("static", "cited"):  # interleaved: same machine conditions
                run = await closed_loop(client, kind, clients, args.closed_seconds)
                closed[kind].append(run)
                print(run.row(), flush=True)
        best = {
            kind: max((r for r in runs if r.errors == 0), key=lambda r: r.throughput, default=None)
            for kind, runs in closed.items()
        }
        ratio = (
            best["cited"].throughput / best["static"].throughput
            if best["cited"] and best["static"]
            else 0.0
        )

        print(f"\n(b) open loop\n{HEADER}", flush=True)
        opened = await open_loop(client, args.rate, args.open_seconds)
        print(opened.row(), flush=True)
        for sample in opened.error_samples:
            print(f"    error: {sample}")

        print(f"\n(c) one conversation of {args.long} messages", flush=True)
        long_latencies = await long_conversation(client, args.long)

    head, tail = long_latencies[:5], long_latencies[-5:]
    growth = {
        "first_ms": round(long_latencies[0], 1),
        "last_ms": round(long_latencies[-1], 1),
        "last_over_first": round(long_latencies[-1] / long_latencies[0], 2),
        "median_first5_ms": round(statistics.median(head), 1),
        "median_last5_ms": round(statistics.median(tail), 1),
        "median_last5_over_first5": round(statistics.median(tail) / statistics.median(head), 2),
    }
    return {
        "closed": {k: [r.as_dict() for r in v] for k, v in closed.items()},
        "best": {k: (r.as_dict() if r else None) for k, r in best.items()},
        "ratio": round(ratio, 3),
        "open": opened.as_dict(),
        "growth": growth,
    }


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(results: dict, args: argparse.Namespace) -> None:
    best, growth, opened = results["best"], results["growth"], results["open"]
    print("\n=== summary")
    for kind in ("static", "cited"):
        r = best[kind]
        figure = (
            f"{r['throughput_per_s']:.1f} req/s ({r['label']}, p95 {r['p95_ms']:.0f} ms)"
            if r
            else "none without errors"
        )
        print(f"  highest sustainable throughput, {kind:<6}: {figure}")
    ratio = results["ratio"]
    print(
        f"  (a) cited / static throughput ratio: {ratio:.2f}  (target >= 0.6) "
        + verdict(ratio >= 0.6)
    )
    open_ok = opened["p95_ms"] <= 500 and opened["errors"] == 0
    print(
        f"  (b) open loop {args.rate:g}/s for {args.open_seconds:g} s: "
        f"p50 {opened['p50_ms']:.0f} ms, p95 {opened['p95_ms']:.0f} ms, "
        f"p99 {opened['p99_ms']:.0f} ms, errors {opened['errors']}  "
        f"(target p95 <= 500 ms, 0 errors) {verdict(open_ok)}"
    )
    tail_ratio = growth["median_last5_over_first5"]
    print(
        f"  (c) message {args.long} vs message 1: "
        f"{growth['last_ms']:.0f} / {growth['first_ms']:.0f} ms "
        f"= {growth['last_over_first']:.2f}x; "
        f"median of the last 5 vs the first 5: {growth['median_last5_ms']:.0f} / "
        f"{growth['median_first5_ms']:.0f} ms = {tail_ratio:.2f}x  (target <= 1.5x) "
        + verdict(tail_ratio <= 1.5)
    )


def drop_bench_queue(env: dict[str, str]) -> None:
    """The bench's own analytics queue has no consumer: remove it rather than let it grow."""
    import pika

    credentials = pika.PlainCredentials(env["LDN_RABBITMQ_USER"], env["LDN_RABBITMQ_PASSWORD"])
    parameters = pika.ConnectionParameters(
        host=env["LDN_RABBITMQ_HOST"], port=int(env["LDN_RABBITMQ_PORT"]), credentials=credentials
    )
    try:
        connection = pika.BlockingConnection(parameters)
        connection.channel().queue_delete(queue=env["LDN_RABBITMQ_QUEUE"])
        connection.close()
    except pika.exceptions.AMQPError as error:
        print(f"note: could not remove the bench queue ({type(error).__name__})")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="public URL of a running assistant (default: --start)")
    parser.add_argument("--token", help="REST bearer token (LDN_REST_TOKEN)")
    parser.add_argument(
        "--start", action="store_true", help="start the production profile on bench ports"
    )
    parser.add_argument(
        "--levels", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2, 4, 8]
    )
    parser.add_argument("--closed-seconds", type=float, default=15)
    parser.add_argument("--rate", type=float, default=10)
    parser.add_argument("--open-seconds", type=float, default=60)
    parser.add_argument("--long", type=int, default=50)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    stack = None
    if args.url:
        url, token = args.url, args.token
    else:
        from scripts.production import ProductionStack, production_env

        env = production_env(
            {
                "LDN_DATA_DIR": str(REPO / "results" / "bench-production"),
                "LDN_PUBLIC_PORT": "8280",
                "LDN_RASA_BASE_PORT": "5410",
                "LDN_ACTION_BASE_PORT": "5460",
                "LDN_ACTION_PROXY_PORT": "5459",
                "LDN_PG_DB": "ldn_tracker_bench",
                "LDN_REDIS_PREFIX": "ldnbench",
                "LDN_RABBITMQ_QUEUE": "ldn_events_bench",
            }
        )
        stack = ProductionStack(env=env)
        stack.start()
        url, token = stack.rasa_url, env["LDN_REST_TOKEN"]
    try:
        results = asyncio.run(measure(args, url, token))
    finally:
        if stack is not None:
            stack.stop()
            drop_bench_queue(stack.env)
    report(results, args)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
