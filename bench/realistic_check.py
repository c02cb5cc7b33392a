"""Check the schema of a realistic-message development set (eval/realistic/<set>.yml).

Usage:
    python3 bench/realistic_check.py            # dev2
    python3 bench/realistic_check.py --set dev

Checks: unique ids with the set's prefix, allowed styles / expect / verdict values, non-empty
turns, follow-up items with exactly 2 turns (other styles 1), topics that are real passage
topics (plus ``screening`` and ``schedule``), passage ids that exist, each listed passage's
topic included in ``topics``, declines without expectations, store_gap under 5%, and no
message copied from another development set. Prints the counts per style.
Only development sets are accepted: the held-out set is never opened here.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SETS = ROOT / "eval" / "realistic"
DEV_SETS = {
    "dev": "d",
    "dev2": "e",
    "dev3": "g",
    "dev4": "j",
    "dev5": "k",
    "dev6": "m",
    "dev7": "n",
}
STYLES = {
    "terse",
    "case",
    "chart",
    "relayed",
    "two_questions",
    "noisy",
    "followup",
    "ood_ldn_words",
    "general_ood",
}
DECLINE_STYLES = {"ood_ldn_words", "general_ood"}
VERDICTS = {
    "can_start",
    "wait_until",
    "do_not_start",
    "needs_specialist_review",
    "insufficient_information",
}
EXTRA_TOPICS = {"screening", "schedule"}
ITEM_KEYS = {
    "id",
    "style",
    "turns",
    "expect",
    "topics",
    "passages",
    "verdict",
    "direct",
    "store_gap",
}


def norm(turns: list[str]) -> tuple[str, ...]:
    return tuple(" ".join(str(t).split()).lower() for t in turns)


def passage_topics() -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sorted((ROOT / "knowledge" / "passages").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for p in data["passages"]:
            out[p["id"]] = p.get("topic", data["topic"])
    return out


def check(name: str) -> list[str]:
    errors: list[str] = []
    data = yaml.safe_load((SETS / f"{name}.yml").read_text(encoding="utf-8"))
    if data.get("set") != name:
        errors.append(f"set is {data.get('set')!r}, expected {name!r}")
    ptopic = passage_topics()
    topics_ok = set(ptopic.values()) | EXTRA_TOPICS
    prefix = DEV_SETS[name]
    others = set()
    for other in DEV_SETS:
        if other != name and (SETS / f"{other}.yml").exists():
            odata = yaml.safe_load((SETS / f"{other}.yml").read_text(encoding="utf-8"))
            others |= {norm(i["turns"]) for i in odata["items"]}

    items = data.get("items") or []
    ids = Counter(i.get("id") for i in items)
    errors += [f"duplicate id {k}" for k, n in ids.items() if n > 1]
    seen_msgs: Counter = Counter()
    for it in items:
        iid = it.get("id")
        where = f"{iid}:"
        if not str(iid).startswith(prefix):
            errors.append(f"{where} id should start with {prefix!r}")
        extra = set(it) - ITEM_KEYS
        if extra:
            errors.append(f"{where} unknown keys {sorted(extra)}")
        style, expect, turns = it.get("style"), it.get("expect"), it.get("turns")
        if style not in STYLES:
            errors.append(f"{where} bad style {style!r}")
        if expect not in ("answer", "decline"):
            errors.append(f"{where} bad expect {expect!r}")
        if not isinstance(turns, list) or not turns:
            errors.append(f"{where} turns must be a non-empty list")
            continue
        if any(not isinstance(t, str) or not t.strip() for t in turns):
            errors.append(f"{where} empty turn")
        if style == "followup" and len(turns) != 2:
            errors.append(f"{where} follow-up needs exactly 2 turns")
        if style != "followup" and len(turns) != 1:
            errors.append(f"{where} only follow-ups have several turns")
        if style in DECLINE_STYLES and expect != "decline":
            errors.append(f"{where} {style} should expect decline")
        key = norm(turns)
        seen_msgs[key] += 1
        if key in others:
            errors.append(f"{where} message copied from another dev set")
        topics = it.get("topics") or []
        passages = it.get("passages") or []
        verdict = it.get("verdict") or []
        if expect == "decline":
            if topics or passages or verdict or it.get("store_gap"):
                errors.append(f"{where} a decline carries no expectations")
            continue
        if not topics:
            errors.append(f"{where} answer item needs topics")
        for t in topics:
            if t not in topics_ok:
                errors.append(f"{where} unknown topic {t!r}")
        for p in passages:
            if p not in ptopic:
                errors.append(f"{where} unknown passage {p!r}")
            elif ptopic[p] not in topics:
                errors.append(f"{where} topic {ptopic[p]!r} of {p} missing from topics")
        for v in verdict:
            if v not in VERDICTS:
                errors.append(f"{where} unknown verdict {v!r}")
        if verdict and "screening" not in topics:
            errors.append(f"{where} a verdict list goes with the screening topic")
        if it.get("store_gap") and passages:
            errors.append(f"{where} store_gap item lists passages")
    errors += [f"message repeated in set: {k[-1][:60]!r}" for k, n in seen_msgs.items() if n > 1]
    gaps = sum(1 for it in items if it.get("store_gap"))
    if items and gaps / len(items) >= 0.05:
        errors.append(f"store_gap share {gaps}/{len(items)} is not under 5%")

    styles = Counter(it.get("style") for it in items)
    print(
        f"{name}: {len(items)} items, {gaps} store_gap "
        f"({sum(1 for it in items if it.get('expect') == 'decline')} declines)"
    )
    for style, n in styles.most_common():
        print(f"  {style:15s} {n}")
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(DEV_SETS), default="dev2")
    args = parser.parse_args(argv)
    errors = check(args.set)
    for e in errors:
        print("ERROR", e)
    print("ok" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
