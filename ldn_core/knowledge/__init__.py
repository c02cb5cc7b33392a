"""Knowledge store of the LDN assistant: bibliography, curated passages, validator.

Format: ``docs/knowledge-format.md``. Validate with ``python -m ldn_core.knowledge.validate``.
"""

import warnings

from .model import (
    CONDITIONS,
    EVIDENCE_LEVELS,
    EVIDENCE_WORDS,
    LEVEL_ALLOWS,
    LEVEL_MAX_EVIDENCE,
    SOURCE_TYPES,
    TOPICS,
    TYPE_LEVEL,
    Passage,
    Source,
    evidence_rank,
)
from .schema import KnowledgeError
from .store import KnowledgeStore, knowledge_dir
from .validate import ValidationIssue, validate

# ``validate`` is both a submodule (the CLI) and the re-exported function. Importing it
# here keeps the function bound to the package name, but makes ``python -m
# ldn_core.knowledge.validate`` print a harmless runpy RuntimeWarning; silence just that.
warnings.filterwarnings(
    "ignore",
    message=r".*'ldn_core\.knowledge\.validate' found in sys\.modules.*",
    category=RuntimeWarning,
)

__all__ = [
    "CONDITIONS",
    "EVIDENCE_LEVELS",
    "EVIDENCE_WORDS",
    "LEVEL_ALLOWS",
    "LEVEL_MAX_EVIDENCE",
    "SOURCE_TYPES",
    "TOPICS",
    "TYPE_LEVEL",
    "KnowledgeError",
    "KnowledgeStore",
    "Passage",
    "Source",
    "ValidationIssue",
    "evidence_rank",
    "knowledge_dir",
    "validate",
]
