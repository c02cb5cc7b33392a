"""Parse texts with a trained Rasa model, as the assistant does (run with the Rasa venv).

Usage:
    .venv/rasa/bin/python bench/nlu_parse.py --model models/ldn-X.tar.gz \
        --texts in.json --out out.json

``in.json`` is a JSON list of strings; ``out.json`` gets one object per text: intent (after
the FallbackClassifier, so possibly ``nlu_fallback``), its confidence and the entities with
their character spans. Used by ``bench/retrieval_benchmark.py --nlu-model`` to measure
retrieval with the hints the NLU gives in production.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

ENTITY_KEYS = ("entity", "value", "start", "end")


async def parse_all(model: str, texts: list[str]) -> list[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    rows = []
    for text in texts:
        parsed = await agent.parse_message(text)
        rows.append(
            {
                "text": text,
                "intent": parsed["intent"]["name"],
                "confidence": round(float(parsed["intent"].get("confidence") or 0.0), 4),
                "entities": [
                    {k: e.get(k) for k in ENTITY_KEYS} for e in parsed.get("entities", [])
                ],
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--texts", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    texts = json.loads(args.texts.read_text(encoding="utf-8"))
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise SystemExit(f"{args.texts}: expected a JSON list of strings")
    rows = asyncio.run(parse_all(args.model, texts))
    args.out.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    print(f"parsed {len(rows)} texts with {args.model}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
