"""Builds the offline spaCy pipeline: blank English + medspaCy target rules + ConText.

Components, in order:
1. ``ldn_typo_normalizer``: maps near-misses of drug/condition names ("oxycodne",
   "tramdol") onto the lexicon word through ``token.norm_``.
2. ``medspacy_target_matcher``: phrase and regex rules from :mod:`lexicon`, matched on NORM.
3. ``ldn_clause_splitter``: one "sentence" per clause (split at . ; ! ? , and newlines), so
   negation and history cues stay inside their clause; a clause without any entity is glued
   to the previous one ("tramadol, stopped Sunday").
4. ``medspacy_context``: negation / history / hypothesis / current / future cues.
No model is downloaded; everything is rule data.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Iterable
from functools import lru_cache

import spacy
from medspacy.context import ConTextRule
from medspacy.ner import TargetRule
from spacy.language import Language
from spacy.tokens import Doc

from .lexicon import Lexicon, Term, variants

STATUS_CATEGORIES = ("NEGATED_EXISTENCE", "HISTORICAL", "HYPOTHETICAL", "CURRENT")
CLAUSE_END = {".", ";", "!", "?", ",", ":"}


class TypoNormalizer:
    """Sets ``norm_`` of an unknown word to a lexicon word it is very close to."""

    def __init__(self, vocabulary: Iterable[str], cutoff: float = 0.85, min_len: int = 6):
        self.vocabulary = sorted(set(vocabulary))
        self.cutoff = cutoff
        self.min_len = min_len
        self._lookup = lru_cache(maxsize=4096)(self._closest)

    def _closest(self, word: str) -> str | None:
        candidates = [
            w for w in self.vocabulary if w[0] == word[0] and abs(len(w) - len(word)) <= 2
        ]
        best = difflib.get_close_matches(word, candidates, n=1, cutoff=self.cutoff)
        return best[0] if best else None

    def __call__(self, doc: Doc) -> Doc:
        vocab = set(self.vocabulary)
        for token in doc:
            lower = token.lower_
            if len(lower) < self.min_len or not token.is_alpha or lower in vocab:
                continue
            match = self._lookup(lower)
            if match:
                token.norm_ = match
        return doc


@Language.factory("ldn_typo_normalizer", default_config={"vocabulary": []})
def make_typo_normalizer(nlp, name, vocabulary):  # untyped: spaCy validates factory hints
    return TypoNormalizer(vocabulary)


def _joins_list(doc: Doc, comma: int) -> bool:
    """A comma between two entities of one kind is a list ("no tramadol, codeine or ...")."""
    before = next((e for e in doc.ents if e.end == comma), None)
    after = next((e for e in doc.ents if e.start == comma + 1), None)
    return bool(before and after and before.label_ == after.label_)


def _clause_starts(doc: Doc) -> list[int]:
    starts = [0]
    for tok in doc[:-1]:
        if tok.text == "," and _joins_list(doc, tok.i):
            continue
        is_dash = (
            tok.text in {"-", "–", "—"}
            and tok.whitespace_
            and tok.i > 0
            and doc[tok.i - 1].whitespace_
        )
        if tok.text in CLAUSE_END or "\n" in tok.text or is_dash:
            starts.append(tok.i + 1)
        elif "\n" in tok.whitespace_:
            starts.append(tok.i + 1)
    return sorted(set(starts))


@Language.component("ldn_clause_splitter")
def clause_splitter(doc):
    if not len(doc):
        return doc
    starts = _clause_starts(doc)
    bounds = list(zip(starts, starts[1:] + [len(doc)], strict=False))
    has_ent = [any(s <= e.start < end for e in doc.ents) for s, end in bounds]
    keep: list[int] = []
    for (start, _), anchored in zip(bounds, has_ent, strict=False):
        if anchored or not keep:
            keep.append(start)
    if len(keep) > 1 and not has_ent[0]:
        keep.pop(1)  # a leading clause without entity belongs to the next one
    for tok in doc:
        tok.is_sent_start = tok.i in keep
    return doc


def _target_rules(terms: Iterable[Term]) -> list[TargetRule]:
    rules = []
    for term in terms:
        meta = {"value": term.value, **dict(term.meta)}
        if term.regex:
            rules.append(TargetRule(term.value, term.category, pattern=term.regex, metadata=meta))
            continue
        for literal in variants(term.literal or ""):
            rules.append(TargetRule(literal, term.category, metadata=meta))
    return rules


def _context_rules(lexicon: Lexicon) -> list[ConTextRule]:
    return [
        ConTextRule(cue.literal, cue.category, direction=cue.direction, max_scope=cue.max_scope)
        for cue in lexicon.cues
    ]


def run(nlp: Language, text: str) -> Doc:
    """``nlp(text)`` without spaCy's per-doc W036 warning: medspaCy keeps an empty token
    Matcher when all rules of a component are phrases."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\[W036\]")
        return nlp(text)


def build_nlp(lexicon: Lexicon) -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("ldn_typo_normalizer", config={"vocabulary": sorted(lexicon.fuzzy_vocabulary())})
    matcher = nlp.add_pipe("medspacy_target_matcher", config={"phrase_matcher_attr": "NORM"})
    matcher.add(_target_rules(lexicon.terms))
    nlp.add_pipe("ldn_clause_splitter")
    terminating = {cat: [c for c in STATUS_CATEGORIES if c != cat] for cat in STATUS_CATEGORIES}
    context = nlp.add_pipe(
        "medspacy_context", config={"rules": None, "terminating_types": terminating}
    )
    context.add(_context_rules(lexicon))
    return nlp
