"""NLU figures for results/nlu-report/nlu-report.md (run by scripts/nlu_report.sh).

Two steps:

- ``predict`` (run with the Rasa venv): parse every example of an NLU file with a trained
  model, exactly as the assistant does (FallbackClassifier included), and write the
  predictions as JSON. `rasa test nlu` cannot give this: it undoes fallback predictions.
- ``report``: from those predictions (held-out set) and, optionally, from the folder written
  by `rasa test nlu --cross-validation --successes` (classifier-level: fallback undone),
  compute:

- intent accuracy and macro F1 (nlu_fallback counts as a wrong prediction),
- per-intent precision / recall / F1 and the most frequent confusions,
- out-of-scope detection, strict (predicted out_of_scope) and end-to-end (out_of_scope or
  nlu_fallback: the clarify path gives no clinical answer either),
- the rate at which in-scope questions are sent to out_of_scope (refused for clinicians) and
  to nlu_fallback (clarifying question instead of an answer).

``report`` is plain Python (no Rasa import), so it runs in either venv.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

OOS = "out_of_scope"
FALLBACK = "nlu_fallback"


@dataclass(frozen=True)
class Prediction:
    text: str
    gold: str
    predicted: str
    confidence: float


def load_predictions(path: Path) -> list[Prediction]:
    """Rows from a ``predict`` JSON file, or from a `rasa test nlu --successes` folder."""
    if path.is_file():
        return [
            Prediction(r["text"], r["gold"], r["predicted"], float(r["confidence"]))
            for r in json.loads(path.read_text(encoding="utf-8"))
        ]
    folder = path
    rows: list[Prediction] = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = folder / name
        if not path.exists():
            continue
        for item in json.loads(path.read_text(encoding="utf-8")):
            prediction = item.get("intent_prediction") or {}
            rows.append(
                Prediction(
                    text=item.get("text", ""),
                    gold=item.get("intent", ""),
                    predicted=prediction.get("name") or "None",
                    confidence=float(prediction.get("confidence") or 0.0),
                )
            )
    if not rows:
        raise SystemExit(f"no intent_successes.json / intent_errors.json in {folder}")
    return rows


@dataclass(frozen=True)
class Metrics:
    n: int
    accuracy: float
    macro_f1: float
    per_intent: dict[str, tuple[float, float, float, int]]  # precision, recall, f1, support
    confusions: list[tuple[str, str, int]]
    oos_support: int
    oos_strict: float
    oos_end_to_end: float
    in_scope_support: int
    in_scope_to_oos: float
    in_scope_to_fallback: float
    errors: list[Prediction]


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def compute(rows: list[Prediction]) -> Metrics:
    labels = sorted({r.gold for r in rows})
    per_intent: dict[str, tuple[float, float, float, int]] = {}
    for label in labels:
        tp = sum(1 for r in rows if r.gold == label and r.predicted == label)
        fp = sum(1 for r in rows if r.gold != label and r.predicted == label)
        fn = sum(1 for r in rows if r.gold == label and r.predicted != label)
        precision = _ratio(tp, tp + fp)
        recall = _ratio(tp, tp + fn)
        f1 = _ratio(2 * precision * recall, precision + recall) if precision + recall else 0.0
        per_intent[label] = (precision, recall, f1, tp + fn)
    correct = sum(1 for r in rows if r.gold == r.predicted)
    confusions = Counter((r.gold, r.predicted) for r in rows if r.gold != r.predicted)
    oos = [r for r in rows if r.gold == OOS]
    inscope = [r for r in rows if r.gold != OOS]
    return Metrics(
        n=len(rows),
        accuracy=_ratio(correct, len(rows)),
        macro_f1=sum(v[2] for v in per_intent.values()) / len(per_intent),
        per_intent=per_intent,
        confusions=[(g, p, c) for (g, p), c in confusions.most_common()],
        oos_support=len(oos),
        oos_strict=_ratio(sum(1 for r in oos if r.predicted == OOS), len(oos)),
        oos_end_to_end=_ratio(sum(1 for r in oos if r.predicted in (OOS, FALLBACK)), len(oos)),
        in_scope_support=len(inscope),
        in_scope_to_oos=_ratio(sum(1 for r in inscope if r.predicted == OOS), len(inscope)),
        in_scope_to_fallback=_ratio(
            sum(1 for r in inscope if r.predicted == FALLBACK), len(inscope)
        ),
        errors=[r for r in rows if r.gold != r.predicted],
    )


def _pct(x: float) -> str:
    return f"{x:.3f}"


def section(title: str, m: Metrics, top: int = 15, list_errors: bool = False) -> str:
    lines = [
        f"## {title}",
        "",
        "| Measure | Value |",
        "|---|---|",
        f"| Examples | {m.n} |",
        f"| Intent accuracy (nlu_fallback counts as wrong) | **{_pct(m.accuracy)}** |",
        f"| Macro F1 over intents | {_pct(m.macro_f1)} |",
        f"| out_of_scope detection, strict (predicted out_of_scope), n={m.oos_support} "
        f"| {_pct(m.oos_strict)} |",
        f"| out_of_scope detection, end-to-end (out_of_scope or nlu_fallback) "
        f"| **{_pct(m.oos_end_to_end)}** |",
        f"| In-scope questions sent to out_of_scope (wrongly refused), n={m.in_scope_support} "
        f"| {_pct(m.in_scope_to_oos)} |",
        f"| In-scope questions sent to nlu_fallback (clarifying question) "
        f"| {_pct(m.in_scope_to_fallback)} |",
        "",
        "| Intent | Precision | Recall | F1 | Support |",
        "|---|---|---|---|---|",
    ]
    for label, (p, r, f1, support) in sorted(m.per_intent.items(), key=lambda kv: kv[1][2]):
        lines.append(f"| `{label}` | {_pct(p)} | {_pct(r)} | {_pct(f1)} | {support} |")
    lines += ["", f"Top confusions (gold → predicted, count), {len(m.errors)} errors in all:", ""]
    if m.confusions:
        for gold, predicted, count in m.confusions[:top]:
            lines.append(f"- `{gold}` → `{predicted}`: {count}")
    else:
        lines.append("- none")
    if list_errors and m.errors:
        lines += ["", "<details><summary>All misclassified examples</summary>", ""]
        lines += ["| Text | Gold | Predicted | Confidence |", "|---|---|---|---|"]
        for r in sorted(m.errors, key=lambda r: (r.gold, r.predicted)):
            text = r.text.replace("|", "\\|")
            lines.append(f"| {text} | `{r.gold}` | `{r.predicted}` | {r.confidence:.2f} |")
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


async def _predict(model: str, data: str) -> list[dict]:
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    agent = Agent.load(model)
    rows = []
    for example in load_data(data).intent_examples:
        parsed = await agent.parse_message(example.get("text"))
        ranking = [r for r in parsed.get("intent_ranking", []) if r["name"] != FALLBACK]
        rows.append(
            {
                "text": example.get("text"),
                "gold": example.get("intent"),
                "predicted": parsed["intent"]["name"],
                "confidence": float(parsed["intent"].get("confidence") or 0.0),
                "ranking": [[r["name"], round(float(r["confidence"]), 4)] for r in ranking[:3]],
            }
        )
    return rows


def overrule_section(rows: list[Prediction]) -> str:
    """How the store overrule (``Assistant.overrules_out_of_scope``, outside forms) changes
    the held-out behaviour. Needs the actions venv (it runs retrieval)."""
    import tempfile

    from ldn_core.assistant import Assistant
    from ldn_core.retrieval import Retriever
    from ldn_core.retrieval.tuning import tuned_encoder
    from ldn_core.settings import Settings

    knowledge = Path(__file__).resolve().parent.parent / "knowledge"
    encoder = tuned_encoder(knowledge, Settings.from_env().encoder_dir, print)
    with tempfile.TemporaryDirectory() as cache:
        retriever = Retriever.from_knowledge(knowledge, encoder, Path(cache))
    assistant = Assistant(retriever)
    refused = [r for r in rows if r.predicted in (OOS, FALLBACK)]
    answered = [r for r in refused if assistant.overrules_out_of_scope(r.text)]
    oos = [r for r in rows if r.gold == OOS]
    detected = sum(1 for r in oos if r.predicted in (OOS, FALLBACK))
    oos_answered = sum(1 for r in answered if r.gold == OOS)
    inscope_refused = sum(1 for r in refused if r.gold != OOS)
    inscope_answered = sum(1 for r in answered if r.gold != OOS)
    return "\n".join(
        [
            "",
            "### With the store overrule (a confident store answer replaces a refusal or a",
            "clarifying question outside forms; knowledge/retrieval.yaml)",
            "",
            "| Measure | Value |",
            "|---|---|",
            f"| out_of_scope questions answered from the store anyway | {oos_answered} of "
            f"{len(oos)} |",
            f"| out_of_scope detection, end-to-end, with the overrule | "
            f"**{_pct(_ratio(detected - oos_answered, len(oos)))}** |",
            f"| in-scope questions refused or clarified that the store answers instead | "
            f"{inscope_answered} of {inscope_refused} |",
            "",
        ]
    )


def predict(argv: list[str]) -> int:
    import asyncio

    parser = argparse.ArgumentParser(description="parse an NLU file with a trained model")
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    rows = asyncio.run(_predict(args.model, args.data))
    args.out.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "predict":
        return predict(argv[1:])
    if argv and argv[0] == "report":
        argv = argv[1:]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--heldout", type=Path, required=True, help="predict JSON (or rasa test nlu folder)"
    )
    parser.add_argument("--cv", type=Path, help="cross-validation output dir")
    parser.add_argument(
        "--title",
        default="Held-out set (eval/nlu/heldout.yml, never trained on), as the assistant behaves",
        help="section title (e.g. for the dev set, eval/nlu/dev.yml)",
    )
    parser.add_argument(
        "--examples", action="store_true", help="also list every misclassified held-out example"
    )
    parser.add_argument("--folds", type=int, default=0)
    parser.add_argument(
        "--overrule",
        action="store_true",
        help="also show the effect of the store overrule (actions venv)",
    )
    parser.add_argument("--out", type=Path, help="markdown report to write (default: stdout)")
    parser.add_argument("--header", default="", help="markdown to put before the results")
    parser.add_argument("--json", type=Path, help="also write the headline numbers as JSON")
    args = parser.parse_args(argv)

    heldout = compute(load_predictions(args.heldout))
    parts = [args.header.rstrip() + "\n\n" if args.header else ""]
    parts.append(
        section(
            args.title,
            heldout,
            # Per-example held-out errors are printed only on request (--examples), never in
            # the committed report: reading them invites writing training data to match.
            list_errors=args.examples,
        )
    )
    if args.overrule:
        parts.append(overrule_section(load_predictions(args.heldout)))
    summary = {
        "heldout_accuracy": heldout.accuracy,
        "heldout_macro_f1": heldout.macro_f1,
        "heldout_oos_strict": heldout.oos_strict,
        "heldout_oos_end_to_end": heldout.oos_end_to_end,
        "heldout_in_scope_to_oos": heldout.in_scope_to_oos,
        "heldout_in_scope_to_fallback": heldout.in_scope_to_fallback,
    }
    if args.cv:
        cv = compute(load_predictions(args.cv))
        folds = f"{args.folds}-fold " if args.folds else ""
        title = f"Cross-validation on the training data ({folds}CV, classifier only)"
        note = (
            "\n`rasa test nlu` undoes fallback predictions, so these figures are for the "
            "classifier alone (no nlu_fallback); out-of-scope detection here is the strict one.\n\n"
        )
        parts.append("\n" + section(title, cv).replace("\n\n", note, 1))
        summary.update(cv_accuracy=cv.accuracy, cv_macro_f1=cv.macro_f1)
    report = "".join(parts)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
