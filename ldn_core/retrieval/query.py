"""Query normalisation: clinical abbreviations, misspellings and LDN-generic filler.

The terms live in knowledge/lexicon/abbreviations.yaml so clinicians can review them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’\-]*")

# Words every passage and nearly every question share ("LDN", "low-dose naltrexone", "pt",
# "can I"). Left in, they dominate a short question's embedding and pull it towards the
# passages that talk about LDN in general; removed, the content words decide. Applied to the
# embedded passage text too (index.DOC_FORMAT), so both sides are stripped the same way.
# "naltrexone-bupropion" and "naltrexone 50 mg" keep their distinguishing words.
GENERIC = re.compile(
    r"\((?:low-dose naltrexone|naltrexone)\)"
    r"|(?<![\w-])(?:LDN|low[- ]dose naltrexone|low[- ]dose naltrexon\w*|naltrexone|naltrexon"
    r"|pts?|patients?|my|can I|should I|could I|do I)(?![\w-])",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)")
_ALNUM = re.compile(r"[A-Za-z0-9]")


def strip_generic(text: str) -> str:
    """``text`` without the LDN-generic words; whitespace collapsed."""
    stripped = _EMPTY_BRACKETS.sub(" ", GENERIC.sub(" ", text))
    return _SPACES.sub(" ", stripped).strip() if _ALNUM.search(stripped) else ""


@dataclass(frozen=True)
class QueryExpander:
    # lower-cased term -> expansion; case-sensitive terms (e.g. "MS", "CD") kept separately
    terms: dict[str, str]
    case_sensitive: dict[str, str]

    @classmethod
    def load(cls, path: Path, extra_terms: dict[str, str] | None = None) -> QueryExpander:
        """The lexicon's terms; ``extra_terms`` (from other knowledge files, such as opioid
        brands) fill in words the lexicon does not list itself."""
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        terms = dict(extra_terms or {})
        terms.update({str(k).lower(): str(v) for k, v in (data.get("terms") or {}).items()})
        exact = {str(k): str(v) for k, v in (data.get("case_sensitive") or {}).items()}
        return cls(terms=terms, case_sensitive=exact)

    def expand(self, text: str) -> str:
        """Replace known abbreviations/typos in place, keeping the original word.

        "LDN dose FM?" -> "LDN (low-dose naltrexone) dose FM (fibromyalgia)?"
        """

        def replace(match: re.Match[str]) -> str:
            word = match.group(0)
            expansion = self.case_sensitive.get(word) or self.terms.get(word.lower())
            if not expansion or expansion.lower() == word.lower():
                return word
            return f"{word} ({expansion})"

        return _WORD.sub(replace, text)

    def vocabulary(self) -> list[str]:
        """Every term and expansion of the lexicon (reviewed, in-domain words)."""
        return [
            *self.terms,
            *self.terms.values(),
            *self.case_sensitive,
            *self.case_sensitive.values(),
        ]

    def content(self, text: str) -> str:
        """The expanded query without LDN-generic filler: what gets embedded and matched.

        "can I use LDN in a pt with MS" -> "use in a with MS (multiple sclerosis)".
        Falls back to the expanded text when nothing else is left ("LDN?").
        """
        expanded = self.expand(text)
        return strip_generic(expanded) or expanded.strip()
