"""Drug and condition names as speech-to-text writes them: "low does nal tracks own",
"now trucks own for fibro my algae".

Dictated and voicemail messages split a long word into short real words that sound like it.
Words are compared by their consonant skeleton (vowels dropped, letters that sound alike
merged), over windows of up to four words, so "nal tracks own" meets "naltrexone". Only a few
long, distinctive names are restored; a window must start with the name's first letter and
come within one consonant of it.
"""

from __future__ import annotations

import re

from ldn_core.retrieval.lexical import edit_distance

# The names worth restoring: what the question is about, long enough to be split in dictation.
RESTORED_NAMES = ("naltrexone", "fibromyalgia")
_WINDOW = 4
_WHOLE_WORD = 8  # a word this long is a word of its own, not a dictated piece of a name
_SOUND_ALIKE = (("ph", "f"), ("ck", "k"), ("x", "ks"), ("c", "k"), ("q", "k"), ("z", "s"))
_SILENT = re.compile(r"[aeiouyhw]")
_WORD = re.compile(r"[A-Za-z]+")
# "low does naltrexone": the dose is what is low
_LOW_DOSE_BEFORE = re.compile(r"\blow[- ]?(?:dose|does|dos)\s*$")
_LOW_DOES = re.compile(r"\blow[- ]does\b(?=\s+naltrexone)", re.IGNORECASE)


def skeleton(words: str) -> str:
    letters = re.sub(r"[^a-z]", "", words.lower())
    for written, sound in _SOUND_ALIKE:
        letters = letters.replace(written, sound)
    consonants = _SILENT.sub("", letters)
    return re.sub(r"(.)\1+", r"\1", consonants)


_TARGETS = tuple((name, skeleton(name)) for name in RESTORED_NAMES)


def _distance(window: str, name: str, target: str) -> int | None:
    """Consonant distance of a window of words to a name, or None when it cannot be it."""
    letters = re.sub(r"[^a-z]", "", window.lower())
    if not letters.startswith(name[0]):
        return None
    if not len(name) - 3 <= len(letters) <= len(name) + 4:
        return None
    return edit_distance(skeleton(window), target)


def _best_window(text: str, words: list[re.Match], start: int) -> tuple[int, str] | None:
    """(number of words, name) of the closest window starting at ``start``: an exact skeleton,
    or one consonant off right after "low dose" ("low dose now trucks own")."""
    before = text[max(0, words[start].start() - 20) : words[start].start()].lower()
    after_low_dose = bool(_LOW_DOSE_BEFORE.search(before))
    best: tuple[int, int, str] | None = None  # (distance, -size, name)
    for size in range(2, min(_WINDOW, len(words) - start) + 1):
        last = words[start + size - 1]
        if not skeleton(last.group(0)):
            continue  # a trailing "he" or "a" adds nothing to the sound
        span = text[words[start].start() : last.end()]
        if "\n" in span:
            break
        if any(len(w.group(0)) >= _WHOLE_WORD for w in words[start : start + size]):
            break  # "naltrexone one" holds the name already; only short words are pieces
        for name, target in _TARGETS:
            distance = _distance(span, name, target)
            if distance is None or distance > (1 if after_low_dose else 0):
                continue
            if best is None or (distance, -size) < best[:2]:
                best = (distance, -size, name)
    return (-best[1], best[2]) if best else None


# the abbreviation said letter by letter and typed as words
_SPOKEN_LDN = re.compile(r"\bel[- ]?dee[- ]?en\b", re.IGNORECASE)


def restore_misheard_names(text: str) -> str:
    """The text with dictated splits of the names in ``RESTORED_NAMES`` joined again; other
    text is left as it is."""
    words = list(_WORD.finditer(text))
    pieces: list[str] = []
    cursor = 0
    i = 0
    while i < len(words):
        found = _best_window(text, words, i)
        if found:
            size, name = found
            pieces.append(text[cursor : words[i].start()])
            pieces.append(name)
            cursor = words[i + size - 1].end()
            i += size
        else:
            i += 1
    pieces.append(text[cursor:])
    return _SPOKEN_LDN.sub("LDN", _LOW_DOES.sub("low dose", "".join(pieces)))
