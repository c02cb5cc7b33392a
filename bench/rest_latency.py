"""Latency and memory of a running stack: 100 varied questions over REST.

Usage: start the assistant (`make run`), then `python bench/rest_latency.py [--url ...]`.
Prints p50/p95 latency per answer kind and the resident memory of each server process.
It sends requests only to the given (local) URL, sequentially, and stops by itself.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
import uuid

import requests

QUESTIONS = [
    "what is the starting dose of LDN?",
    "how do I titrate low dose naltrexone?",
    "does LDN work for fibromyalgia?",
    "was the FINAL trial positive?",
    "LDN for CRPS evidence?",
    "is LDN used for diabetic neuropathy?",
    "LDN for neuropathic corneal pain dose",
    "can LDN help chronic low back pain?",
    "should LDN be used in Crohn's disease?",
    "what does the evidence say about LDN in multiple sclerosis?",
    "how does LDN work?",
    "what are the side effects of LDN?",
    "how common are vivid dreams on LDN?",
    "can a patient on tramadol take LDN?",
    "how long off opioids before LDN?",
    "should LDN be stopped before surgery?",
    "is LDN safe in liver disease?",
    "can LDN be used in pregnancy?",
    "LDN in kidney disease?",
    "how is LDN compounded?",
    "what is the difference between LDN and 50 mg naltrexone?",
    "is Contrave the same as LDN?",
    "what response rate did the pain clinic studies report?",
    "how many patients stop LDN?",
    "LDN and codeine cough syrup",
]


def rss_mb(pattern: str) -> float:
    """Summed resident memory of processes whose command line matches ``pattern``."""
    out = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout.split()
    total_kb = 0
    for pid in out:
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total_kb += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total_kb / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:5005/webhooks/rest/webhook")
    parser.add_argument("-n", type=int, default=100)
    args = parser.parse_args()
    by_kind: dict[str, list[float]] = {}
    errors = 0
    session = requests.Session()
    for i in range(args.n):
        question = QUESTIONS[i % len(QUESTIONS)]
        sender = f"bench-{uuid.uuid4().hex[:8]}"
        started = time.perf_counter()
        try:
            reply = session.post(args.url, json={"sender": sender, "message": question}, timeout=60)
            elapsed = (time.perf_counter() - started) * 1000
            kinds = [
                m["custom"].get("kind") for m in reply.json() if isinstance(m.get("custom"), dict)
            ]
            kind = kinds[-1] if kinds else "text-only"
        except (requests.RequestException, ValueError):
            errors += 1
            continue
        by_kind.setdefault(kind, []).append(elapsed)
    everything = [v for values in by_kind.values() for v in values]
    print(f"requests: {args.n}  errors: {errors}")
    for kind, values in sorted(by_kind.items()):
        print(
            f"{kind:>14}: n={len(values):3d}  p50={statistics.median(values):6.1f} ms  "
            f"p95={percentile(values, 0.95):6.1f} ms"
        )
    if everything:
        print(
            f"{'all':>14}: n={len(everything):3d}  p50={statistics.median(everything):6.1f} ms  "
            f"p95={percentile(everything, 0.95):6.1f} ms"
        )
    print(f"RSS rasa server:   {rss_mb('rasa run'):7.0f} MB")
    print(f"RSS action server: {rss_mb('rasa_sdk --actions'):7.0f} MB")
    cited = by_kind.get("knowledge", [])
    if cited:
        verdict = "PASS" if statistics.median(cited) <= 150 else "FAIL"
        print(f"target: cited-answer p50 <= 150 ms: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
