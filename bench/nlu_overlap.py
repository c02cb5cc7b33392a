"""Flag NLU examples of one file that copy or nearly copy examples of others.

Used to keep eval/nlu/dev.yml independent of the training data (and new training data
independent of the dev set): an exact match after normalisation (lowercase, punctuation and
entity markup removed) or a difflib ratio >= --threshold is reported. Plain Python + PyYAML.

    python bench/nlu_overlap.py eval/nlu/dev.yml data/nlu/*.yml
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

ENTITY = re.compile(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})")


def examples(path: Path) -> list[tuple[str, str]]:
    """(intent, plain text) pairs of a Rasa NLU yaml file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rows = []
    for block in data.get("nlu", []):
        if "intent" not in block:
            continue
        for line in block.get("examples", "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                rows.append((block["intent"], ENTITY.sub(r"\1", line[2:])))
    return rows


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9 ]", "", text.lower())).strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("candidate", type=Path, help="file whose examples are checked")
    parser.add_argument("others", type=Path, nargs="+", help="files they must not copy")
    parser.add_argument("--threshold", type=float, default=0.85)
    args = parser.parse_args(argv)
    reference: dict[str, str] = {}
    for path in args.others:
        if path.resolve() != args.candidate.resolve():
            reference.update((normalise(t), i) for i, t in examples(path))
    rows = examples(args.candidate)
    print(f"{len(rows)} examples: {dict(Counter(i for i, _ in rows))}")
    flagged = 0
    for intent, text in rows:
        key = normalise(text)
        matcher = difflib.SequenceMatcher(None)
        matcher.set_seq2(key)  # seq2 is the one difflib caches
        best, ratio = "", 0.0
        for other in reference:
            matcher.set_seq1(other)
            # cheap upper bounds first: the full ratio is slow over 2,000+ examples
            if min(matcher.real_quick_ratio(), matcher.quick_ratio()) < args.threshold:
                continue
            if (r := matcher.ratio()) > ratio:
                best, ratio = other, r
        if ratio >= args.threshold:
            flagged += 1
            kind = "EXACT" if ratio == 1.0 else f"NEAR {ratio:.2f}"
            print(f"{kind}: [{intent}] {text!r} ~ [{reference[best]}] {best!r}")
    print(f"{flagged} flagged (threshold {args.threshold})")
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
