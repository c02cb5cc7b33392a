"""Patient facts from a clinician's free text (offline, rule-based; no Rasa).

    >>> import datetime as dt
    >>> facts = extract_facts("pt with CRPS, stopped oxycodone 3 days ago", dt.date(2026, 11, 27))
    >>> facts.indication, facts.opioids[0].last_dose
    ('crps', datetime.date(2026, 11, 24))

The spaCy pipeline (blank English + medspaCy target rules + ConText) is built once, on first
use, from the term lists in ``knowledge/``.
"""

from __future__ import annotations

import datetime as dt
import threading

from spacy.language import Language

from ..patient import PatientFacts
from .facts import facts_from_mentions
from .lexicon import Lexicon, load_lexicon
from .mentions import build_mentions
from .pipeline import build_nlp, run

__all__ = ["extract_facts", "get_pipeline"]

_LOCK = threading.Lock()
_PIPELINE: tuple[Language, Lexicon] | None = None


def get_pipeline() -> tuple[Language, Lexicon]:
    """The shared (nlp, lexicon) pair, built on first call."""
    global _PIPELINE
    if _PIPELINE is None:
        with _LOCK:
            if _PIPELINE is None:
                lexicon = load_lexicon()
                _PIPELINE = (build_nlp(lexicon), lexicon)
    return _PIPELINE


def extract_facts(text: str, today: dt.date) -> PatientFacts:
    """Facts stated in ``text``; relative dates are resolved against ``today``."""
    nlp, lexicon = get_pipeline()
    doc = run(nlp, text)
    mentions = build_mentions(doc)
    return facts_from_mentions(doc, mentions, today, lexicon)
