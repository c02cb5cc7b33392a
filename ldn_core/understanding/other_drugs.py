"""Messages about another drug: named as the subject, with LDN left out.

"starting dose of amitriptyline for diabetic neuropathy" shares a condition and the word
"dose" with the store, and retrieval alone may find an LDN passage for it; it is still a
question about amitriptyline. The drug names come from knowledge/lexicon/other_drugs.yaml and
the opioid lexicon (knowledge/rules/opioids.yaml), so both stay data.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from ldn_core.settings import REPO_ROOT
from ldn_core.understanding.sentences import sentences

OTHER_DRUGS_FILE = Path("lexicon") / "other_drugs.yaml"
OPIOIDS_FILE = Path("rules") / "opioids.yaml"
# Words that keep an opioid question about LDN even when LDN is not named.
LDN_CONTEXT = re.compile(
    r"\b(?:wash-?out|opioid[- ]free|block\w*|antagonis\w*|precipitat\w*|it|this (?:drug|med))\b",
    re.IGNORECASE,
)


def _opioid_names(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    names: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in ("name", "generic", "id"):
                if isinstance(node.get(key), str):
                    names.append(node[key])
            for key, value in node.items():
                if key.endswith("aliases") and isinstance(value, list):
                    names.extend(v for v in value if isinstance(v, str))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data.get("opioids", data))
    return names


@lru_cache(maxsize=4)
def other_drug_pattern(knowledge_dir: Path = REPO_ROOT / "knowledge") -> re.Pattern[str]:
    listed = yaml.safe_load((knowledge_dir / OTHER_DRUGS_FILE).read_text(encoding="utf-8"))
    names = [str(n) for n in (listed or {}).get("drugs", [])]
    opioids = knowledge_dir / OPIOIDS_FILE
    if opioids.exists():
        names += _opioid_names(opioids)
    words = sorted({n.strip().lower() for n in names if len(n.strip()) >= 4}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


@lru_cache(maxsize=4)
def listed_drug_pattern(knowledge_dir: Path = REPO_ROOT / "knowledge") -> re.Pattern[str]:
    """Only the non-opioid drugs of other_drugs.yaml: an opioid named in a follow-up is still
    about LDN (washout, blockade)."""
    listed = yaml.safe_load((knowledge_dir / OTHER_DRUGS_FILE).read_text(encoding="utf-8"))
    names = sorted({str(n).strip().lower() for n in (listed or {}).get("drugs", [])}, key=len)
    return re.compile(
        r"\b(?:" + "|".join(re.escape(n) for n in reversed(names)) + r")\b", re.IGNORECASE
    )


def names_non_opioid_drug(text: str) -> bool:
    return bool(listed_drug_pattern().search(text))


def names_other_drug(text: str) -> bool:
    return bool(other_drug_pattern().search(text))


# Taking another drug together with LDN ("is LDN ok with her sertraline?", "LDN and gabapentin
# together?", "any interaction?"), told from a medication list that happens to hold "with" or
# "together" ("on gabapentin together with amitriptyline. LDN worth trying?").
_LDN_REF = r"(?:ldn|low[- ]?dose naltrexone|naltrexone|it)"
_COMBINING = re.compile(
    r"\b(?:together|combin\w*|interact\w*|concomitant\w*|co-?prescri\w*)\b", re.IGNORECASE
)
_JOINED = (
    r"(?:\bwith|\bw/|\balongside|\bplus|\+|&)\s*(?:(?:her|his|their|the|my|a|an|current|usual)\s+)?"
)
# A class of medicines named instead of a drug ("is LDN safe with thyroid medication?").
_MEDICINE_CLASS = re.compile(
    r"\b(?:thyroid|blood pressure|bp|diabetes|diabetic|heart|epilepsy|seizure|antidepressant|"
    r"psychiatric|mental health|migraine|asthma|hay ?fever|allergy|hrt|other|regular|usual|"
    r"current|daily)\s+"
    r"(?:medications?|medicines?|meds|tablets|pills|drugs)\b",
    re.IGNORECASE,
)


def co_medication(text: str, ldn_implied: bool = False) -> str | None:
    """The listed non-opioid drug (or class of medicines) the message asks about taking with
    LDN, if it does: LDN joined to the drug ("LDN ... with X", "X with LDN"), or a word about
    combining in the sentence that names both. ``ldn_implied``: in a follow-up LDN need not
    be named ("same patient - she's on azathioprine, any interaction?")."""
    for sentence in sentences(text):
        drug = listed_drug_pattern().search(sentence) or _MEDICINE_CLASS.search(sentence)
        if drug is None:
            continue
        if ldn_implied and _COMBINING.search(sentence):
            return drug.group(0).lower()
        if not re.search(rf"\b{_LDN_REF}\b", sentence, re.IGNORECASE):
            continue
        name = re.escape(drug.group(0))
        ldn_then_drug = rf"\b{_LDN_REF}\b\W+(?:[\w.']+\W+){{0,5}}?{_JOINED}{name}\b"
        drug_then_ldn = rf"\b{name}\W+{_JOINED}{_LDN_REF}\b"
        if (
            _COMBINING.search(sentence)
            or re.search(ldn_then_drug, sentence, re.IGNORECASE)
            or re.search(drug_then_ldn, sentence, re.IGNORECASE)
        ):
            return drug.group(0).lower()
    return None


def co_medication_followup(text: str, previous_question: str | None) -> str | None:
    """ "and amitriptyline?" right after "any issue giving LDN with gabapentin?": the same
    question about the newly named drug. Only after a question about taking another drug
    with LDN; after "does LDN help PDN?" the same words ask about the trial against it."""
    if not previous_question:
        return None
    previous = co_medication(previous_question)
    if previous is None:
        return None
    drug = listed_drug_pattern().search(text) or _MEDICINE_CLASS.search(text)
    if drug:
        return drug.group(0).lower()
    # "is naltrexone ok with sertraline?" then "and at LDN doses?": the same drug, at a dose
    if len(text.split()) <= AT_A_DOSE_WORDS and _AT_A_DOSE.search(text):
        return previous
    return None


AT_A_DOSE_WORDS = 8
_AT_A_DOSE = re.compile(
    r"\b(?:at|in|with|for)\s+(?:the\s+|such\s+|these\s+|this\s+|a\s+)?"
    r"(?:ldn|low|lower|small|tiny|\d+(?:\.\d+)?\s?mg)\b",
    re.IGNORECASE,
)


_STARTING_WORD = (
    r"(?:start\w*|initiat\w*|commenc\w*|induc\w*|titrat\w*|begin\w*|use|using|try|trying)"
)
_SUBSTITUTION = r"(?:ost|oat|mat|opioid substitution|opioid agonist|opioid replacement)"


def starts_another_drug(text: str) -> bool:
    """The drug being started or titrated is another one: "newly starting OST", "methadone
    titration", "initiating buprenorphine". Such a message asks about that drug, not LDN."""
    drug = rf"(?:{other_drug_pattern().pattern[2:-2]}|{_SUBSTITUTION})"
    not_ldn = r"(?!ldn\b|low\b|naltrex)[\w'-]+\s+"
    started = rf"\b{_STARTING_WORD}\s+(?:{not_ldn}){{0,2}}?{drug}\b"
    titrated = rf"\b{drug}\s+(?:dose\s+)?(?:titration|induction|initiation)\b"
    return bool(re.search(f"{started}|{titrated}", text, re.IGNORECASE))


def about_another_drug(text: str) -> bool:
    """Names another drug and gives no sign that LDN is what is asked about."""
    return names_other_drug(text) and not LDN_CONTEXT.search(text)
