"""Scores ldn_core.extraction on the labelled cases in eval/extraction/cases.yaml.

Run: .venv/actions/bin/python bench/extraction_score.py [--split test|dev|all] [--verbose]

A labelled fact is correct when the extracted value equals the label. Unlabelled facts are
expected to stay unknown (see the conventions at the top of the YAML), so a value extracted
where none was expected counts against precision:
  precision = correct / extracted (non-empty values)   recall = correct / labelled
  accuracy  = correct labelled facts / labelled facts (the headline number).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections import defaultdict
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import yaml

from ldn_core.extraction import extract_facts, get_pipeline
from ldn_core.patient import PatientFacts

ROOT = Path(__file__).resolve().parents[1]

CASES_PATH = ROOT / "eval" / "extraction" / "cases.yaml"
FACT_NAMES = [f.name for f in fields(PatientFacts)]


def load_cases(path: Path = CASES_PATH) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)["cases"]


def _norm_opioids(items: list[dict[str, Any]]) -> list[tuple]:
    return sorted(
        (str(o["drug"]), o.get("current"), o.get("last_dose"), bool(o.get("maintenance", False)))
        for o in items
    )


def gold_value(expect: dict[str, Any], name: str) -> Any:
    if name == "opioids":
        return _norm_opioids(expect.get("opioids", []))
    if name == "last_opioid_dose" and name not in expect:
        doses = [o["last_dose"] for o in expect.get("opioids", []) if o.get("last_dose")]
        return max(doses) if doses else None
    return expect.get(name)


def extracted_value(facts: PatientFacts, name: str) -> Any:
    if name == "opioids":
        return _norm_opioids([asdict(o) for o in facts.opioids])
    return getattr(facts, name)


def _empty(value: Any) -> bool:
    return value is None or value == []


def score(cases: list[dict[str, Any]]) -> dict[str, Any]:
    counts: dict[str, dict[str, int]] = defaultdict(
        lambda: {"labelled": 0, "extracted": 0, "correct": 0}
    )
    errors: list[str] = []
    latencies: list[float] = []
    for case in cases:
        today = (
            case["today"]
            if isinstance(case["today"], dt.date)
            else dt.date.fromisoformat(case["today"])
        )
        start = time.perf_counter()
        facts = extract_facts(case["text"], today)
        latencies.append(time.perf_counter() - start)
        expect = case.get("expect") or {}
        for name in FACT_NAMES:
            gold, got = gold_value(expect, name), extracted_value(facts, name)
            labelled = name in expect or not _empty(gold)
            c = counts[name]
            c["labelled"] += labelled
            c["extracted"] += not _empty(got)
            ok = gold == got
            c["correct"] += labelled and ok
            if not ok:
                errors.append(
                    f"{case['id']}: {name}: expected {gold!r}, got {got!r}  <- {case['text']}"
                )
    labelled = sum(c["labelled"] for c in counts.values())
    correct = sum(c["correct"] for c in counts.values())
    return {
        "per_fact": dict(counts),
        "accuracy": correct / labelled if labelled else 0.0,
        "labelled": labelled,
        "correct": correct,
        "errors": errors,
        "mean_latency_ms": 1000 * statistics.mean(latencies) if latencies else 0.0,
        "cases": len(cases),
    }


def _report(split: str, result: dict[str, Any], verbose: bool) -> None:
    print(f"\n== split: {split} ({result['cases']} cases, {result['labelled']} labelled facts)")
    print(f"{'fact':26} {'labelled':>8} {'precision':>9} {'recall':>7}")
    for name in FACT_NAMES:
        c = result["per_fact"].get(name)
        if not c or not (c["labelled"] or c["extracted"]):
            continue
        precision = c["correct"] / c["extracted"] if c["extracted"] else float("nan")
        recall = c["correct"] / c["labelled"] if c["labelled"] else float("nan")
        print(f"{name:26} {c['labelled']:>8} {precision:>9.2f} {recall:>7.2f}")
    share = f"{result['correct']}/{result['labelled']}"
    print(f"accuracy over labelled facts: {result['accuracy']:.3f} ({share})")
    print(f"mean extraction latency: {result['mean_latency_ms']:.1f} ms per message")
    print(f"mismatches (incl. spurious unlabelled facts): {len(result['errors'])}")
    if verbose:
        for line in result["errors"]:
            print("  " + line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "test", "holdout", "all"], default="all")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every mismatch")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    get_pipeline()
    print(f"pipeline build: {time.perf_counter() - start:.2f} s")
    cases = load_cases()
    splits = ["dev", "test", "holdout"] if args.split == "all" else [args.split]
    for split in splits:
        _report(split, score([c for c in cases if c.get("split") == split]), args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
