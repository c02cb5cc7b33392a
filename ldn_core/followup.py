"""Which reading of a follow-up is kept: with the previous question, or the message alone.

"does it wear off?" leans on the answer just given; "what about side effects?" names a new
subject and is answered on it. Plain Python over retrieval results; the router calls
``leans_on_previous``.
"""

from __future__ import annotations

import re

from ldn_core.retrieval.lexical import stem, tokens
from ldn_core.retrieval.retriever import RetrievalResult

# A number or a unit: an amount, not a subject ("at 4.5 mg?").
AMOUNT = re.compile(r"\d+(?:\.\d+)?[a-z]{0,3}|mg|mcg|ml|g|kg|mg/ml", re.IGNORECASE)
# Words that make a follow-up about the previous subject, whatever else it names.
POINTS_AT_THE_LAST_SUBJECT = re.compile(r"\b(?:that|this|these|those|same)\b", re.IGNORECASE)
# Content words that ask how, or how the subject just discussed behaves, not about a new
# subject: "how long for?", "is it safe?", "does it wear off?", "any data at all?", "NNT?".
SUBJECTLESS_WORDS = frozenset(
    stem(word)
    for word in (
        "long often soon quickly fast well effective useful safe work works last lasts help "
        "helps why wear off settle settles pass passes go away resolve resolves persist common "
        "normal serious dangerous data evidence proof research study studies trial trials "
        "all real "
        # figures of the study just cited ("NNT?", "sample size?", "was it blinded?")
        "nnt nnh number needed treat value ci confidence interval sample size effect dropout "
        "dropouts duration design blinded randomised randomized endpoint outcome outcomes "
        # what the study just cited found and how it was run ("what were the results?", "how
        # many trials went into it?")
        "result results find found finding findings show showed shown conclude concluded "
        "conclusion conclusions report reported include included went enrol enrolled "
        "measure measured"
    ).split()
)


def names_a_subject(text: str) -> bool:
    """Whether a message has a content word beyond how-words and amounts ("side effects",
    "methadone"; not "by how much at 4.5 mg?")."""
    return any(
        token not in SUBJECTLESS_WORDS and not AMOUNT.fullmatch(token) for token in tokens(text)
    )


def leans_on_previous(
    text: str, alone: RetrievalResult, leaning: RetrievalResult, keep_within: float
) -> bool:
    """Whether a follow-up is read with the previous question rather than alone.

    Alone it may find nothing ("does it wear off?"), point back ("is that the one given with
    opioids?") or name no subject ("how long for?"); then the previous question carries it.
    Otherwise, when both readings answer, the message alone must still rank the leaning
    reading's best passage near its own best: "what about side effects?" after a CRPS answer
    names a new subject, and the side-effect passages (not CRPS again) answer it.
    """
    if alone.abstained or not alone.candidates:
        return True
    if leaning.abstained or not leaning.hits:
        return False
    if POINTS_AT_THE_LAST_SUBJECT.search(text) or not names_a_subject(text):
        # "is that the one given with opioids?", "how long for?"
        return True
    own = {h.passage.id: h.score for h in alone.candidates}
    best_leaning = leaning.hits[0].passage.id
    if best_leaning not in own:
        return False
    return alone.candidates[0].score - own[best_leaning] <= keep_within
