"""Sentences of a message, for rules that must find two things in the same one ("LDN ...
with her sertraline", "will LDN help her lupus?") rather than anywhere in a pasted chart."""

from __future__ import annotations

import re

# After . ! ? or ; followed by space, or at a line break; never inside "4.5".
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


def sentences(text: str) -> list[str]:
    return _SENTENCE_END.split(text)
