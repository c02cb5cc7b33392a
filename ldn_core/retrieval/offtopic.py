"""Off-topic reference questions: what the store deliberately does not answer.

Abstention asks "is this question close to something the store answers?". Its hardest errors
are off-topic questions of the same clinical form ("Vivitrol dosing every 4 weeks", "taper
schedule for oxycodone"). The NLU's ``out_of_scope`` training examples are exactly such a
set, written for the assistant; the best cosine between a question and them is one more
abstention feature (``Answerability.offtopic``). Measured on the dev split (20x5-fold CV):
off-topic abstained 0.903 -> 0.922 and answerable wrongly abstained 0.076 -> 0.065 for the
same feature set with and without it.

``knowledge/offtopic.yaml`` names the files (paths relative to the knowledge directory) and
the intent to read. The files are Rasa NLU YAML; only the example text is read here, with
entity annotations (``[text](entity)``, ``[text]{...}``) reduced to their text, so the core
does not import Rasa. tests/core/retrieval/test_benchmark_hygiene.py keeps these examples
apart from the benchmark questions.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REFERENCE_FILE = "offtopic.yaml"
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def example_text(line: str) -> str:
    """One NLU example with its entity annotations reduced to the annotated words."""
    return _ANNOTATION.sub(r"\1", line).strip()


def nlu_examples(path: Path, intent: str) -> list[str]:
    """The examples of ``intent`` in one Rasa NLU YAML file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise ValueError(f"{path}: cannot read off-topic examples: {err}") from err
    items = data.get("nlu") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ValueError(f"{path}: no `nlu:` list of intents")
    out: list[str] = []
    for item in items:
        if isinstance(item, dict) and item.get("intent") == intent:
            for line in str(item.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- ") and example_text(line[2:]):
                    out.append(example_text(line[2:]))
    return out


def load_offtopic_examples(knowledge_dir: Path) -> list[str]:
    """Every reference example named by ``knowledge/offtopic.yaml``, deduplicated, in file
    order; empty when the knowledge directory has no such file (the feature is then 0)."""
    config_path = knowledge_dir / REFERENCE_FILE
    if not config_path.exists():
        return []
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    files = config.get("files") if isinstance(config, dict) else None
    intent = config.get("intent") if isinstance(config, dict) else None
    if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
        raise ValueError(f"{config_path}: files must be a non-empty list of paths")
    if not isinstance(intent, str) or not intent:
        raise ValueError(f"{config_path}: intent must name the NLU intent to read")
    examples: list[str] = []
    for name in files:
        path = (knowledge_dir / name).resolve()
        if not path.is_file():
            raise ValueError(f"{config_path}: files: no file {name} (looked for {path})")
        examples.extend(nlu_examples(path, intent))
    if not examples:
        raise ValueError(f"{config_path}: the files hold no `{intent}` examples")
    return list(dict.fromkeys(examples))
