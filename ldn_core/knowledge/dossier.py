"""Read-only view of the evidence dossier (``shared/evidence/ldn_evidence.md``).

Used by the validator to check that every source and identifier comes from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_ROW_ID_RE = re.compile(r"^([a-z][a-z0-9_]*)(?:\s*\(.*\))?$")
_UNCITABLE_MARKS = ("do not cite", "not located")


@dataclass(frozen=True)
class Dossier:
    text: str
    rows: dict[str, str]  # source id -> its line in a section-1 table
    uncitable: frozenset[str]  # ids the dossier marks "not located" / "do not cite"

    @classmethod
    def from_text(cls, text: str) -> Dossier:
        rows: dict[str, str] = {}
        in_sources = False
        for line in text.splitlines():
            if line.startswith("## "):
                in_sources = line.startswith("## 1.")
                continue
            if not in_sources or not line.startswith("|"):
                continue
            first_cell = line.strip("|").split("|")[0].strip()
            match = _ROW_ID_RE.match(first_cell)
            if match:
                rows[match.group(1)] = line
        uncitable = frozenset(
            sid for sid, row in rows.items() if any(m in row.lower() for m in _UNCITABLE_MARKS)
        )
        return cls(text=text, rows=rows, uncitable=uncitable)

    @classmethod
    def load(cls, path: Path) -> Dossier:
        return cls.from_text(Path(path).read_text(encoding="utf-8"))

    @property
    def source_ids(self) -> frozenset[str]:
        return frozenset(self.rows)

    def row(self, source_id: str) -> str:
        return self.rows.get(source_id, "")


def contains_identifier(haystack: str, identifier: str) -> bool:
    """``identifier`` occurs in ``haystack`` case-insensitively as a whole token.

    ``10.1002/art.3773`` does not match inside ``10.1002/art.37734``, and ``1234567``
    does not match inside ``12345678``.
    """
    if not identifier:
        return False
    pattern = r"(?<![\w.])" + re.escape(identifier) + r"(?![\w/-]|\.\w)"
    return re.search(pattern, haystack, flags=re.IGNORECASE) is not None


def contains_number(haystack: str, digits: str) -> bool:
    """``digits`` occurs in ``haystack`` with no digit directly before or after it."""
    return bool(digits) and re.search(rf"(?<!\d){re.escape(digits)}(?!\d)", haystack) is not None
