"""Validator of the knowledge store against its format and its verification record.

    python -m ldn_core.knowledge.validate [--root knowledge] [--dossier PATH | --no-dossier]

Prints one line per issue and a summary; exit status 1 when any error is found.
Sources are checked against ``knowledge/verification.yaml`` (in the repository). The
evidence dossier is optional: ``--dossier PATH`` requires it; otherwise
``$LDN_EVIDENCE_DOSSIER``, else ``<repo>/../shared/evidence/ldn_evidence.md``, is compared
when it exists and skipped with a printed note when it does not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import reviews, verification
from .dossier import Dossier, contains_identifier, contains_number
from .model import LEVEL_ALLOWS, LEVEL_MAX_EVIDENCE, TOPICS, TYPE_LEVEL, Passage, Source
from .schema import (
    KnowledgeError,
    build_passage,
    build_source,
    check_passage,
    check_passages_document,
    check_source,
    check_sources_document,
    item_id,
    read_yaml,
)
from .store import RULES_DIR, SOURCES_FILE, display_path, knowledge_dir, passage_files

REPO_ROOT = Path(__file__).resolve().parents[2]

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_RE = re.compile(r"^\d{7,8}$")
PMCID_RE = re.compile(r"^PMC\d+$")
REGISTRY_RE = re.compile(r"^(NCT\d{8}|CTRI/\d{4}/\d{2,3}/\d{6}|\d{4}-\d{6}-\d{2})$")

MAX_SENTENCES = 4
MAX_CHARS = 700
NEAR_DUPLICATE = 0.85

_ABBREVIATIONS = re.compile(
    r"\b(?:e\.g|i\.e|et al|vs|approx|cf|Fig|No|Dr|incl|max|min|wk|wks|mo|yr|yrs|St|Ref|ref)\.",
    flags=re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?](?:[\"')\]]*)(?=\s+[\"'(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class ValidationIssue:
    file: str
    item: str
    field: str
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        where = self.file + (f" [{self.item}]" if self.item else "")
        field = f" {self.field}:" if self.field else ""
        return f"{self.severity.upper()} {where}{field} {self.message}"


# ------------------------------------------------------------------ text helpers


def count_sentences(text: str) -> int:
    """Approximate sentence count, ignoring common abbreviations and decimals."""
    cleaned = _ABBREVIATIONS.sub("ABBR", " ".join(text.split()).strip())
    if not cleaned:
        return 0
    return len(_SENTENCE_END.findall(cleaned)) + 1


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def similarity(a: str, b: str) -> float:
    """Max of token-set Jaccard and word-sequence difflib ratio on normalised text (0..1)."""
    wa, wb = normalise(a).split(), normalise(b).split()
    ta, tb = set(wa), set(wb)
    jaccard = len(ta & tb) / len(ta | tb) if ta | tb else 1.0
    if jaccard >= NEAR_DUPLICATE or jaccard < 0.5:  # the ratio practically never reaches 0.85 then
        return jaccard
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    if matcher.quick_ratio() < NEAR_DUPLICATE:
        return jaccard
    return max(jaccard, matcher.ratio())


# ------------------------------------------------------------------ the validator


class _Validator:
    def __init__(
        self,
        root: Path,
        dossier_path: Path | None,
        dossier_required: bool = True,
        max_review_age_months: int | None = None,
        today: dt.date | None = None,
    ) -> None:
        self.max_review_age_months = max_review_age_months
        self.today = today or dt.date.today()
        self.kdir = knowledge_dir(Path(root))
        self.dossier_path = Path(dossier_path) if dossier_path else None
        self.dossier_required = dossier_required
        self.issues: list[ValidationIssue] = []
        self.sources: dict[str, Source] = {}
        self.passages: list[Passage] = []
        self.dossier: Dossier | None = None
        self.record: verification.VerificationRecord | None = None

    def add(self, file: str, item: str, field: str, message: str, severity: str = "error") -> None:
        self.issues.append(ValidationIssue(file, item, field, message, severity))

    def shown(self, path: Path) -> str:
        return display_path(path, self.kdir)

    def run(self) -> list[ValidationIssue]:
        self.load_record()
        self.load_dossier()
        self.check_sources()
        self.check_record_coverage()
        self.check_passages()
        self.check_cross_references()
        self.check_near_duplicates()
        self.check_shared_questions()
        self.check_rules()
        self.check_reviews()
        return self.issues

    # -------------------------------------------------------------- dossier

    def load_record(self) -> None:
        path = self.kdir / verification.VERIFICATION_FILE
        shown = self.shown(path)
        try:
            self.record = verification.load(self.kdir, shown)
        except KnowledgeError as exc:
            self.add(exc.file, exc.item, exc.field, exc.message)
            return
        for problem in self.record.problems:
            self.add(shown, problem.item, problem.field, problem.message, problem.severity)

    def load_dossier(self) -> None:
        if self.dossier_path is None:
            return
        if not self.dossier_required and not self.dossier_path.exists():
            return  # optional cross-check; main() prints that it was skipped
        try:
            self.dossier = Dossier.load(self.dossier_path)
        except OSError as exc:
            self.add(str(self.dossier_path), "", "", f"cannot read the evidence dossier: {exc}")

    # -------------------------------------------------------------- sources

    def check_sources(self) -> None:
        path = self.kdir / SOURCES_FILE
        shown = self.shown(path)
        if not path.exists():
            self.add(shown, "", "", "file not found")
            return
        try:
            doc = read_yaml(path, shown)
        except KnowledgeError as exc:
            self.add(exc.file, exc.item, exc.field, exc.message)
            return
        for problem in check_sources_document(doc):
            self.add(shown, "", problem.field, problem.message)
        if not isinstance(doc, dict) or not isinstance(doc.get("sources"), list):
            return
        for index, raw in enumerate(doc["sources"]):
            item = item_id(raw) or f"sources[{index}]"
            problems = check_source(raw)
            for problem in problems:
                self.add(shown, item, problem.field, problem.message)
            if problems:
                continue
            if raw["id"] in self.sources:
                self.add(shown, item, "id", "duplicate source id")
                continue
            source = build_source(raw)
            self.sources[source.id] = source
            self.check_source_content(source, shown)

    def check_source_content(self, s: Source, shown: str) -> None:
        expected = TYPE_LEVEL[s.type]
        if s.evidence_level != expected:
            self.add(
                shown,
                s.id,
                "evidence_level",
                f"type {s.type!r} requires evidence_level {expected}, not {s.evidence_level}",
            )
        if s.doi and not DOI_RE.match(s.doi):
            self.add(shown, s.id, "doi", f"malformed DOI {s.doi!r} (expected 10.NNNN/...)")
        if s.pmid and not PMID_RE.match(s.pmid):
            self.add(shown, s.id, "pmid", f"malformed PMID {s.pmid!r} (7-8 digits)")
        if s.pmcid and not PMCID_RE.match(s.pmcid):
            self.add(shown, s.id, "pmcid", f"malformed PMCID {s.pmcid!r} (PMC followed by digits)")
        if s.nct and not REGISTRY_RE.match(s.nct):
            self.add(shown, s.id, "nct", f"malformed trial registry id {s.nct!r}")
        if s.url and not s.url.startswith("https://"):
            self.add(shown, s.id, "url", f"url must be a full https:// address, got {s.url!r}")
        if s.url and (s.doi or s.pmid):
            self.add(shown, s.id, "url", "url is only for sources without DOI/PMID", "warning")
        if self.record is not None:
            identifiers = {"doi": s.doi, "pmid": s.pmid, "pmcid": s.pmcid, "nct": s.nct}
            for problem in verification.compare_source(s.id, identifiers, self.record):
                self.add(shown, problem.item, problem.field, problem.message, problem.severity)
        if self.dossier is not None:
            self.check_against_dossier(s, shown, self.dossier)

    def check_record_coverage(self) -> None:
        """Records without a source, and (with the dossier) record vs dossier differences."""
        if self.record is None:
            return
        shown = self.shown(self.kdir / verification.VERIFICATION_FILE)
        for sid in sorted(set(self.record.records) - set(self.sources)):
            self.add(
                shown, sid, "id", "record of a source that sources.yaml does not list", "warning"
            )
        if self.dossier is None:
            return
        dossier = self.dossier
        for sid, record in sorted(self.record.records.items()):
            if sid not in self.sources and not dossier.row(sid):
                self.add(shown, sid, "id", "not listed in section 1 of the evidence dossier")
            self.check_identifiers_in_dossier(sid, record.identifiers, shown, dossier)
        for sid in sorted(set(self.record.excluded) - dossier.uncitable):
            self.add(
                shown, sid, "excluded", "dossier difference: the dossier does not mark it uncitable"
            )
        known = set(self.record.records) | set(self.record.excluded)
        for sid in sorted(dossier.source_ids - known):
            self.add(
                shown,
                sid,
                "id",
                "dossier difference: listed in the dossier but not in the verification record",
                "warning",
            )

    def check_against_dossier(self, s: Source, shown: str, dossier: Dossier) -> None:
        """The source's citation against its dossier row (identifiers: see the record check)."""
        if s.id in dossier.uncitable:
            self.add(
                shown, s.id, "id", "the dossier marks this source as not located / do not cite"
            )
            return
        row = dossier.row(s.id)
        if not row:
            self.add(
                shown, s.id, "id", "source id is not listed in section 1 of the evidence dossier"
            )
            return
        if s.year is not None and str(s.year) not in row:
            self.add(shown, s.id, "year", f"year {s.year} not found in the dossier row", "warning")
        for author in (a.strip() for a in s.authors.replace("et al.", "").split(",")):
            if author and normalise(author) not in normalise(row):
                self.add(
                    shown,
                    s.id,
                    "authors",
                    f"author {author!r} not found in the dossier row",
                    "warning",
                )
        if "descriptive" not in s.notes.lower() and normalise(s.title) not in normalise(row):
            self.add(
                shown,
                s.id,
                "title",
                "title not found in the dossier row (mark descriptive titles in notes)",
                "warning",
            )

    def check_identifiers_in_dossier(
        self, sid: str, identifiers: dict[str, str], shown: str, dossier: Dossier
    ) -> None:
        """Each verified identifier appears in the dossier, and in the row of its source."""
        row = dossier.row(sid)
        checks = (
            ("doi", DOI_RE, contains_identifier),
            ("pmid", PMID_RE, contains_number),
            ("pmcid", PMCID_RE, contains_identifier),
            ("nct", REGISTRY_RE, contains_identifier),
        )
        for name, pattern, found in checks:
            value = identifiers.get(name, "")
            if not value or not pattern.match(value):
                continue  # empty, or reported as malformed on the source
            label = name.upper()
            if not found(dossier.text, value):
                self.add(
                    shown, sid, name, f"{label} {value} does not appear in the evidence dossier"
                )
            elif row and not found(row, value):
                self.add(
                    shown,
                    sid,
                    name,
                    f"{label} {value} appears in the dossier but not in the row of {sid}",
                )

    # -------------------------------------------------------------- passages

    def check_passages(self) -> None:
        seen: dict[str, str] = {}
        for path in passage_files(self.kdir):
            shown = self.shown(path)
            topic = path.stem
            if topic not in TOPICS:
                self.add(
                    shown,
                    "",
                    "topic",
                    f"unknown topic file name {topic!r} (allowed: {', '.join(TOPICS)})",
                )
                continue
            try:
                doc = read_yaml(path, shown)
            except KnowledgeError as exc:
                self.add(exc.file, exc.item, exc.field, exc.message)
                continue
            for problem in check_passages_document(doc, topic):
                self.add(shown, "", problem.field, problem.message)
            if not isinstance(doc, dict) or not isinstance(doc.get("passages"), list):
                continue
            relative = path.relative_to(self.kdir).as_posix()
            for index, raw in enumerate(doc["passages"]):
                item = item_id(raw) or f"passages[{index}]"
                problems = check_passage(raw)
                for problem in problems:
                    self.add(shown, item, problem.field, problem.message)
                if problems:
                    continue
                if raw["id"] in seen:
                    self.add(shown, item, "id", f"duplicate passage id (also in {seen[raw['id']]})")
                    continue
                seen[raw["id"]] = shown
                passage = build_passage(raw, topic, relative)
                self.passages.append(passage)
                self.check_passage_text(passage, shown)

    def check_passage_text(self, p: Passage, shown: str) -> None:
        if len(p.text) > MAX_CHARS:
            self.add(shown, p.id, "text", f"text has {len(p.text)} characters (max {MAX_CHARS})")
        sentences = count_sentences(p.text)
        if not 1 <= sentences <= MAX_SENTENCES:
            self.add(
                shown, p.id, "text", f"text has {sentences} sentences (1-{MAX_SENTENCES} allowed)"
            )

    def check_cross_references(self) -> None:
        ids = {p.id for p in self.passages}
        cited: set[str] = set()
        for p in self.passages:
            shown = self.shown(self.kdir / p.file)
            known = [self.sources[s] for s in p.sources if s in self.sources]
            cited.update(p.sources)
            for sid in p.sources:
                if sid not in self.sources:
                    self.add(shown, p.id, "sources", f"cites unknown source {sid!r}")
            if known:
                best = min(s.evidence_level for s in known)
                if p.evidence not in LEVEL_ALLOWS[best]:
                    self.add(
                        shown,
                        p.id,
                        "evidence",
                        f"evidence {p.evidence!r} is stronger than its best source allows "
                        f"(best level {best} -> at most {LEVEL_MAX_EVIDENCE[best]!r})",
                    )
            for other in p.conflicts_with:
                if other == p.id:
                    self.add(shown, p.id, "conflicts_with", "a passage cannot conflict with itself")
                elif other not in ids:
                    self.add(shown, p.id, "conflicts_with", f"unknown passage id {other!r}")
        sources_file = self.shown(self.kdir / SOURCES_FILE)
        for sid in self.sources:
            if sid not in cited:
                self.add(sources_file, sid, "id", "source is not cited by any passage")

    def check_near_duplicates(self) -> None:
        for i, a in enumerate(self.passages):
            for b in self.passages[i + 1 :]:
                score = similarity(a.text, b.text)
                if score >= NEAR_DUPLICATE:
                    self.add(
                        self.shown(self.kdir / b.file),
                        b.id,
                        "text",
                        f"near-duplicate of {a.id} ({a.file}), similarity {score:.2f}",
                        "warning",
                    )

    def check_shared_questions(self) -> None:
        """The same retrieval question on two passages pulls both equally: an error."""
        owner: dict[str, str] = {}
        for p in self.passages:
            for q in p.questions:
                key = normalise(q)
                if key in owner and owner[key] != p.id:
                    self.add(
                        self.shown(self.kdir / p.file),
                        p.id,
                        "questions",
                        f"question {q!r} is also listed on {owner[key]}",
                    )
                owner.setdefault(key, p.id)

    # -------------------------------------------------------------- rules

    def check_rules(self) -> None:
        rdir = self.kdir / RULES_DIR
        if not rdir.is_dir():
            return
        for path in sorted(rdir.glob("*.yaml")):
            shown = self.shown(path)
            try:
                doc = read_yaml(path, shown)
            except KnowledgeError as exc:
                self.add(exc.file, exc.item, exc.field, exc.message)
                continue
            for item, value in _sources_lists(doc, ""):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    self.add(shown, item, "sources", "must be a list of source ids")
                    continue
                for sid in value:
                    if sid not in self.sources:
                        self.add(shown, item, "sources", f"cites unknown source {sid!r}")

    # -------------------------------------------------------------- review dates

    def check_reviews(self) -> None:
        """Every passage and rule has a review date and role; old ones are flagged."""
        ledger_path = self.kdir / reviews.REVIEWS_FILE
        ledger = self.shown(ledger_path)
        if not ledger_path.exists():
            self.add(ledger, "", "", "no review ledger: rules have no review dates", "warning")
        try:
            index = reviews.load_reviews(self.kdir)
        except (OSError, ValueError, AttributeError) as exc:  # YAML errors are ValueErrors
            self.add(ledger, "", "", f"cannot read the review metadata: {exc}")
            return
        max_age = (
            index.max_age_months
            if self.max_review_age_months is None
            else self.max_review_age_months
        )
        cutoff = reviews.months_before(self.today, max_age)
        for p in self.passages:
            review = index.passages.get(p.id)
            shown = self.shown(self.kdir / p.file)
            if review is None:
                self.add(
                    shown,
                    p.id,
                    "reviewed_by",
                    "no reviewer role (nor a default in " f"{ledger})",
                    "warning",
                )
        for rule_id, file in sorted(index.rule_ids.items()):
            if rule_id not in index.rules:
                self.add(
                    self.shown(self.kdir / file),
                    rule_id,
                    "reviewed",
                    f"rule has no review date and role in {ledger}",
                    "warning",
                )
        for rule_id in sorted(set(index.rules) - set(index.rule_ids)):
            self.add(ledger, rule_id, "rules", "review of a rule id no rule file has", "warning")
        items = {**index.passages, **index.rules, **index.files}
        for item, review in sorted(items.items()):
            where = self._review_file(item, index, ledger)
            if review.reviewed > self.today:
                self.add(where, item, "reviewed", f"review date {review.reviewed} is in the future")
            elif review.reviewed < cutoff:
                self.add(
                    where,
                    item,
                    "reviewed",
                    f"last reviewed {review.reviewed} by {review.reviewed_by}, more than "
                    f"{max_age} months ago: due for review",
                    "warning",
                )

    def _review_file(self, item: str, index: reviews.ReviewIndex, ledger: str) -> str:
        passage = next((p for p in self.passages if p.id == item), None)
        return self.shown(self.kdir / passage.file) if passage else ledger


def _sources_lists(node: Any, where: str) -> Iterator[tuple[str, Any]]:
    """Every value of a key named ``sources`` with its location: the nearest enclosing
    ``id``/``name`` value, else a key path such as ``cough_cold[2]``."""
    if isinstance(node, dict):
        label = next(
            (str(node[k]) for k in ("id", "name") if isinstance(node.get(k), str | int)), ""
        )
        for key, value in node.items():
            if key == "sources":
                yield label or where, value
            else:
                yield from _sources_lists(value, label or (f"{where}.{key}" if where else str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _sources_lists(value, f"{where}[{index}]")


def validate(
    root: Path,
    dossier: Path | None = None,
    *,
    max_review_age_months: int | None = None,
    today: dt.date | None = None,
) -> list[ValidationIssue]:
    """All problems of the knowledge store under ``root`` (the knowledge dir or the repo root),
    compared with the evidence ``dossier`` too when one is given."""
    return _Validator(root, dossier, max_review_age_months=max_review_age_months, today=today).run()


def default_dossier() -> Path:
    env = os.environ.get("LDN_EVIDENCE_DOSSIER")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "evidence" / "ldn_evidence.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ldn_core.knowledge.validate", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=REPO_ROOT / "knowledge",
        help="knowledge directory (default: <repo>/knowledge)",
    )
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument(
        "--dossier",
        type=Path,
        default=None,
        help="compare with this evidence dossier (an error if it cannot be read); default: "
        "$LDN_EVIDENCE_DOSSIER, else <repo>/../shared/evidence/ldn_evidence.md, when present",
    )
    choice.add_argument(
        "--no-dossier", action="store_true", help="check the verification record only"
    )
    parser.add_argument(
        "--max-review-age-months",
        type=int,
        default=None,
        help="warn about passages and rules reviewed longer ago than this "
        "(default: max_age_months of knowledge/reviews.yaml, else 12)",
    )
    args = parser.parse_args(argv)
    dossier = None if args.no_dossier else (args.dossier or default_dossier())
    validator = _Validator(
        args.root,
        dossier,
        dossier_required=args.dossier is not None,
        max_review_age_months=args.max_review_age_months,
    )
    issues = validator.run()
    for issue in issues:
        print(issue)
    if validator.dossier is not None:
        print(f"compared with the evidence dossier {dossier}")
    elif dossier is not None and not dossier.exists() and args.dossier is None:
        # Why: a bare clone has no dossier beside it; the in-repo record is the reference.
        print(
            f"note: evidence dossier not found at {dossier}: checked against "
            "knowledge/verification.yaml only (the dossier comparison was skipped)"
        )
    errors = sum(issue.severity == "error" for issue in issues)
    warnings = len(issues) - errors
    print(
        f"{validator.kdir}: {len(validator.sources)} sources, {len(validator.passages)} passages; "
        f"{errors} error(s), {warnings} warning(s)"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
