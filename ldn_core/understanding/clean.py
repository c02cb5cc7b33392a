"""Noise around a clinician's question, removed for understanding only.

Messages arrive with HTML pasted from a portal, an SQL fragment, a prompt-injection sentence,
a greeting or an e-mail signature around the real question. None of that may decide whether
the question is answered, and none of it is ever echoed back (answers are built only from the
store). What is removed is kept in ``removed`` so that callers can log *that* something was
stripped (never the text itself at INFO).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ldn_core.understanding.misheard import restore_misheard_names

# Prompt-injection and jailbreak sentences: instructions to the assistant, not questions.
_INJECTION = re.compile(
    r"(?:ignore|disregard|forget|override)\b[^.!?\n]{0,40}\b(?:instructions?|prompts?|rules?|"
    r"guidelines?|context)\b"
    r"|\b(?:you are now|act as|pretend (?:to be|you are)|from now on you|new instructions?)\b"
    r"|\b(?:system prompt|developer mode|jailbreak|dan mode)\b"
    r"|\btranslate (?:the following|this|everything)\b"
    r"|\b(?:reveal|print|show|repeat)\b[^.!?\n]{0,30}"
    r"\b(?:prompt|instructions|secrets?|api keys?)\b",
    re.IGNORECASE,
)
# Asides about the message itself ("ignore that, clipboard junk.", "sorry, wrong paste"):
# dropped sentence by sentence, like instructions, so the question is read alone.
_ASIDE = re.compile(
    r"\b(?:ignore|disregard|scratch) (?:that|this|the above|the previous)\b"
    r"|\b(?:clipboard (?:junk|rubbish)|wrong paste|pasted (?:by mistake|in error))\b",
    re.IGNORECASE,
)
# Sentences (or lines) with their separators kept at odd positions, to drop some and rejoin.
_SENTENCE_PIECES = re.compile(r"((?<=[.!?])\s+|\n+)")
_LDN_NAMED = re.compile(r"\b(?:ldn|naltrexone)\b", re.IGNORECASE)
# SQL and script fragments ("'; DROP TABLE patients;--", "SELECT * FROM users").
_CODE = re.compile(
    r"(?:'|\")?\s*;?\s*\b(?:drop\s+table|delete\s+from|insert\s+into|update\s+\w+\s+set|"
    r"select\s+[\w*,\s]+\s+from|union\s+select|truncate\s+table|alter\s+table)\b[^;\n]*;?\s*(?:--)?"
    r"|\bor\s+'?1'?\s*=\s*'?1'?"
    r"|--\s*$"
    r"|\$\{[^}]*\}|\{\{[^}]*\}\}",
    re.IGNORECASE | re.MULTILINE,
)
# Clipboard junk: a base64 or token-like run of letters and digits in mixed case
# ("aGVsbG8gd29ybGQ="); registry numbers (NCT00568555) and DOIs do not mix cases this way.
_TOKEN_JUNK = re.compile(
    r"(?<![\w/.])(?=[A-Za-z0-9+/]*\d)(?=[A-Za-z0-9+/]*[A-Z])(?=[A-Za-z0-9+/]*[a-z])"
    r"[A-Za-z0-9+/]{12,}={0,2}(?![\w/.])"
)
# Greetings and sign-offs at the edges of a message.
_GREETING = re.compile(
    r"^\s*(?:(?:hi|hello|hey|hiya|dear|good (?:morning|afternoon|evening)|greetings|yo)"
    r"(?:\s+(?:there|all|team|bot|assistant|doc|colleague|everyone))?[\s,!.:;-]*)+",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"(?:\n|^|(?<=[.!?])\s+)\s*(?:thanks?(?: you)?(?: (?:so|very) much)?|thx|ty|cheers|regards|"
    r"best(?: wishes| regards)?|kind regards|many thanks|sent from my \w+)\b[^?]{0,80}\Z",
    re.IGNORECASE,
)
# A signature block on its own lines: the sign-off line and whatever follows it (name, role,
# practice, phone, an e-mail disclaimer), when no question follows.
_SIGNATURE_BLOCK = re.compile(
    r"\n\s*(?:thanks?(?: you)?|thx|cheers|regards|best(?: wishes| regards)?|kind regards|"
    r"warm regards|many thanks|sent from my \w+)\b[^?]{0,700}\Z",
    re.IGNORECASE,
)
# A chat-API message object pasted in ('{"role": "system", "content": "..."}').
_ROLE_OBJECT = re.compile(r"\{[^{}]*[\"']role[\"']\s*:[^{}]*\}", re.IGNORECASE)
# Dictated punctuation ("is LDN safe question mark", "full stop new line"): speech-to-text.
_DICTATED = {"question mark": "?", "full stop": ".", "new line": "\n", "new paragraph": "\n"}
_DICTATION = re.compile(r"[ \t]*\b(?:" + "|".join(_DICTATED) + r")\b", re.IGNORECASE)
# Spelt-out capitals ("L D N", "C R P S") from dictation or emphasis.
_SPELT_OUT = re.compile(r"\b(?:[A-Z] ){2,}[A-Z]\b")
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]")
_REPEATED_PUNCT = re.compile(r"([?!.,])\1+")
_SPACES = re.compile(r"[ \t\r\f\v]+")
# Typed emphasis ("ldnnnnn", "effectssss", "sooo"): three or more of one letter are one letter
# in English clinical words. Not i, v or x (roman numerals: "phase iii"), nor w ("www.").
_ELONGATED = re.compile(r"([a-hj-uyz])\1{2,}")


class _TextOnly(HTMLParser):
    """HTML to its visible text: tags dropped, <script>/<style> bodies dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "li", "tr"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _visible_text(text: str) -> str:
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


def strip_markup(text: str) -> str:
    """Visible text of HTML, also of HTML pasted as escaped entities (``&lt;p&gt;``)."""
    if "<" not in text and "&" not in text:
        return text
    visible = html.unescape(_visible_text(text))
    if re.search(r"</?[a-zA-Z][^>]*>", visible):
        visible = _visible_text(visible)
    return visible


@dataclass(frozen=True)
class CleanedMessage:
    text: str  # what understanding works on
    removed: tuple[str, ...] = field(default_factory=tuple)  # kinds of noise found

    @property
    def is_empty(self) -> bool:
        return not re.search(r"[A-Za-z0-9]", self.text)


def _drop_sentences(text: str, pattern: re.Pattern[str]) -> tuple[str, bool]:
    """Drop each sentence (or line) that matches; keep the others in order."""
    pieces = _SENTENCE_PIECES.split(text)
    sentences = pieces[0::2]
    dropped = [bool(pattern.search(p)) for p in sentences]
    if not any(dropped):
        return text, False
    out = []
    for i, sentence in enumerate(sentences):
        if not dropped[i]:
            out.append(sentence)
            if 2 * i + 1 < len(pieces):
                out.append(pieces[2 * i + 1])
    return "".join(out), True


def _drop_asides(text: str) -> str:
    """Drop each sentence that is an aside; one that also asks about LDN ("1) ignore this
    line 2) what dose LDN for MS") keeps its question without the aside's words."""
    pieces = _SENTENCE_PIECES.split(text)
    for i in range(0, len(pieces), 2):
        if _ASIDE.search(pieces[i]):
            pieces[i] = _ASIDE.sub(" ", pieces[i]) if _LDN_NAMED.search(pieces[i]) else ""
    return "".join(pieces)


def clean_message(text: str) -> CleanedMessage:
    removed: list[str] = []
    cleaned = strip_markup(text or "")
    if cleaned != (text or ""):
        removed.append("markup")
    without_role = _ROLE_OBJECT.sub(" ", cleaned)
    if without_role != cleaned:
        removed.append("instruction")
        cleaned = without_role
    if _DICTATION.search(cleaned):
        cleaned = _DICTATION.sub(lambda m: _DICTATED[m.group(0).strip().lower()], cleaned)
    cleaned = _SPELT_OUT.sub(lambda m: m.group(0).replace(" ", ""), cleaned)
    cleaned = restore_misheard_names(cleaned)
    cleaned, found = _drop_sentences(cleaned, _INJECTION)
    if found and "instruction" not in removed:
        removed.append("instruction")
    if _ASIDE.search(cleaned):
        removed.append("aside")
        cleaned = _drop_asides(cleaned)
    without_code = _TOKEN_JUNK.sub(" ", _CODE.sub(" ", cleaned))
    if without_code != cleaned:
        removed.append("code")
        cleaned = without_code
    without_emoji = _EMOJI.sub(" ", cleaned)
    if without_emoji != cleaned:
        removed.append("emoji")
        cleaned = without_emoji
    without_greeting = _GREETING.sub("", cleaned, count=1)
    if without_greeting != cleaned:
        removed.append("greeting")
        cleaned = without_greeting
    without_sign_off = _SIGN_OFF.sub("", _SIGNATURE_BLOCK.sub("", cleaned))
    if without_sign_off != cleaned and re.search(r"[A-Za-z]{3}", without_sign_off):
        removed.append("sign_off")
        cleaned = without_sign_off
    cleaned = _REPEATED_PUNCT.sub(r"\1", cleaned)
    cleaned = _ELONGATED.sub(r"\1", cleaned)
    if cleaned.isupper():  # ALL CAPS reads as shouting to the tokenizer's typo correction
        cleaned = cleaned.lower()
    cleaned = _SPACES.sub(" ", cleaned)
    cleaned = re.sub(r"\s*\n\s*", "\n", cleaned).strip(" \n,;:-").lstrip("?.! \n")
    return CleanedMessage(cleaned, tuple(removed))
