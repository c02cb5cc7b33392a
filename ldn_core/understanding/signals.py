"""Cheap, explainable signals read from a cleaned message.

They decide nothing alone: the router (``ldn_core.respond``) weighs them with retrieval's
answerability and the NLU's hints.
"""

from __future__ import annotations

import re

# The message names the drug: LDN, naltrexone and its misspellings, products that contain it.
_LDN = re.compile(
    r"\b(?:ldn|ntx|naltr[a-z]*|nal?trex\w*|low[- ]?dose nal\w*|revia|vivitrol|contrave|mysimba)\b",
    re.IGNORECASE,
)

# Requests about the previous answer that carry no subject of their own.
_FOLLOWUPS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "sources",
        re.compile(
            r"^(?:\W*(?:and|ok|okay|thanks|great|so)\W+)?"
            r"(?:(?:can|could) (?:you|i) (?:get|have|give|share|see|send)\s+(?:me\s+)?)?"
            r"(?:the |a |any |your |some )?(?:source|sources|ref|refs|reference|"
            r"references|citation|citations|evidence|paper|papers|study|studies|link|links|pmid|doi)"
            r"\b[^?]{0,30}\??$"
            r"|\b(?:where (?:does|did) (?:that|this|it) come from|where is (?:that|this) from|"
            r"what(?:'s| is) (?:that|this) based on|based on what|says who|any (?:refs|sources)|"
            r"(?:source|reference|citation|evidence) for (?:that|this|it))\b",
            re.IGNORECASE,
        ),
    ),
    (
        # "is that from an RCT?", "what's the evidence like": the strength of what was said
        "evidence",
        re.compile(
            r"^\W*(?:(?:and|ok|okay|so|but)\W+)?(?:"
            r"(?:is|was|are|were) (?:that|this|any of (?:that|this)|it|those|these) "
            r"(?:(?:from|based on|backed by|in)\s+)?(?:an? |any )?(?:rct|randomi[sz]ed|trial|"
            r"controlled|placebo|proper|good|real)\w*"
            r"(?:[\s-]+(?:controlled|trials?|study|studies|evidence|data|rcts?))*"
            r"|what(?:'s| is| are) the (?:evidence|data)(?: (?:like|quality))?"
            r"|how (?:good|strong|solid|robust|reliable) (?:is|are) (?:the |that |this )?"
            r"(?:evidence|data)"
            r"|(?:quality|strength|level) of (?:the |that )?evidence"
            r"|what (?:kind|sort|type) of (?:evidence|study|studies|data)(?: is (?:that|this))?"
            r")\b(?:\s+(?:for|behind|on|of)\s+(?:that|this|it|those|these))?"
            r"(?:\s+(?:like|then|though|tho|really))?\W*$",
            re.IGNORECASE,
        ),
    ),
    (
        "why",
        re.compile(
            r"^\W*(?:but |and |ok |so )?(?:why|how come|why so|why is that|why not|explain"
            r"(?: (?:that|why))?|the reason\??)\W*$",
            re.IGNORECASE,
        ),
    ),
)

_QUESTION_START = re.compile(
    r"^\W*(?:is|are|can|could|does|do|did|should|shall|will|would|may|must|has|have|was|were|"
    r"how|when|which|what|whats|what's|who|where|why|any|ok|okay|safe)\b",
    re.IGNORECASE,
)
_YES_NO_INSIDE = re.compile(
    r"\b(?:is it|is ldn|is there|can (?:i|we|she|he|they|you|pts?|patients?)|"
    r"should (?:i|we|she|he|they)|does (?:it|ldn)|do (?:i|we|they)|ok to|okay to|safe to|"
    r"reasonable|appropriate|allowed|fine to)\b",
    re.IGNORECASE,
)

# "can I start LDN", "ok to begin ldn tonight", "when can she start", "is LDN safe for him"
_STARTING = re.compile(
    r"\b(?:start|starting(?! dose)|be started|get started|begin|beginning|initiat\w*|commenc\w*|"
    r"prescrib\w*|trial of|"
    r"try|trying|"
    r"put (?:him|her|them|pt|the patient) on|switch\w* (?:to|over)|add(?:ing)?|go ahead|"
    r"candidate|eligible|suitable|reasonable|appropriate|safe (?:for|to|in)|ok(?:ay)? (?:for|to)|"
    r"contraindicat\w*|proceed|restart\w*|resume|consider\w*|thinking (?:of|about)|"
    r"wants?(?! to know)|would like|instead of|rather than|worth|option for|use (?:ldn|it)|"
    r"keen|sensible|requests?|requesting|requested|asks? for|asking for|"
    r"good idea|go for)\b",
    re.IGNORECASE,
)


# "pt on LDN", "taking low dose naltrexone", "already on it": the patient takes LDN already,
# so the question is about managing it (surgery, side effects), not about starting.
_ALREADY_ON = re.compile(
    r"\b(?<!keen )(?<!put )(?<!start )(?<!starting )(?<!go )(?<!going )(?<!try )"
    r"(?:on|taking|takes|using|uses|started|been on|maintained on|stable on|currently on)\s+"
    r"(?:(?:the|her|his|their|my)\s+)?(?:ldn|low[- ]?dose naltrexone|naltrexone \d(?:\.\d)? ?mg)\b"
    r"|\bldn (?:user|patient)s?\b"
    # "her LDN", "stops the LDN": only someone taking it has one to stop
    # (not "wants to start her LDN today": a first dose is still to come)
    r"|\b(?<!start )(?<!starting )(?<!begin )(?<!commence )(?<!try )(?<!trial )"
    r"(?:her|his|their) (?:ldn|low[- ]?dose naltrexone)\b"
    r"|\bstop(?:s|ping|ped)? (?:the |her |his |their )?(?:ldn|low[- ]?dose naltrexone)\b"
    # a pasted medication list that holds LDN ("Regular: LDN 4.5 mg ON, paracetamol ...")
    r"|^\s*(?:regular|meds|medications|current (?:meds|medications)|dhx|drug history|"
    r"repeat(?:s| meds)?)\s*:[^\n]*\b(?:ldn|low[- ]?dose naltrexone)\b"
    # ... or a line of such a list: "LDN 3 mg nocte"
    r"|^\s*(?:ldn|low[- ]?dose naltrexone)\s+\d+(?:\.\d+)?\s?mg\s+"
    r"(?:on|od|nocte|qhs|daily|at night|mane|once daily)\b",
    re.IGNORECASE | re.MULTILINE,
)


# A particular patient: "pt", "my patient", "she", "his", "45F", "a 70 yo man". General
# questions ("can someone on methadone take LDN?", "a patient on opioids") name none.
_A_PATIENT = re.compile(
    r"\b(?:pts?|my (?:patient|pt|client)s?|"
    r"(?:the|this|our) (?:patient|pt|lady|man|woman|gentleman)|"
    r"he|she|his|her|him|hers|mr|mrs|ms\.|miss)\b"
    r"|\b\d{1,3}\s?(?:y/?o|yrs?|years? old|[mf])\b|\b[mf]\s?\d{1,3}\b"
    # a pasted chart is about its patient: "PMH:", "DH:", "Meds:", "HPI:"
    r"|(?:^|\n)\s*(?:pmh|dh|hpi|hpc|pc|sh|meds|medications|current meds|drug history|"
    r"allergies|dx|diagnosis|o/e|imp|impression)\s*:"
    # a drug with its dose and frequency is someone's prescription: "Zomorph 10mg bd",
    # "gabapentin 300 tds" (LDN's own dose is asked about in general questions too)
    r"|\b(?!ldn\b|naltrexone\b)[a-z][a-z-]{3,}\s+\d+(?:\.\d+)?\s?(?:mg|mcg|micrograms?|ug)?"
    r"\s*(?:od|bd|bid|tds|tid|qds|qid|nocte|mane|om|prn|q\d{1,2}h)\b",
    re.IGNORECASE,
)


def mentions_a_patient(text: str) -> bool:
    return bool(_A_PATIENT.search(text))


def already_on_ldn(text: str) -> bool:
    return bool(_ALREADY_ON.search(text))


_DOSE = re.compile(
    r"\b(?:dose|doses|dosing|dosage|titrat\w*|how much|how fast|\d+(?:\.\d+)?\s?mg)\b",
    re.IGNORECASE,
)


def asks_about_dose(text: str) -> bool:
    """The message asks about the dose or titration ("dose and how fast to titrate?")."""
    return bool(_DOSE.search(text))


# "Q: ...", "Question - ...", "Plan: ?trial of LDN ..." in a pasted note.
# ... or a field of a pasted record: '"question": "how long a trial?"'
_QUESTION_LABEL = re.compile(
    r"(?:^|\n|\.\s|[{,]\s*[\"'])\s*(?:q|question|query|plan|ask)[\"']?\s*[:\-]\s*[\"']?", re.I
)
QUESTION_PART_MIN_WORDS = 14  # shorter messages are searched whole


def labelled_question(text: str) -> str | None:
    """The question a clinician labelled ("Q: can I use the same dose?", a "question" field),
    or None: the clinician's own statement of what is asked."""
    labelled = list(_QUESTION_LABEL.finditer(text))
    if not labelled or len(text.split()) < QUESTION_PART_MIN_WORDS:
        return None
    part = text[labelled[-1].end() :].strip()
    return part if len(part.split()) >= 3 else None


def question_part(text: str) -> str | None:
    """The question of a long message (a labelled "Q:" line, else its last sentence with a
    question mark), or None when the message is short or has no such part."""
    if len(text.split()) < QUESTION_PART_MIN_WORDS:
        return None
    labelled = list(_QUESTION_LABEL.finditer(text))
    if labelled:
        part = text[labelled[-1].end() :].strip()
    else:
        asked = [s for s in re.split(r"(?<=[.!?\n])\s+", text) if s.strip().endswith("?")]
        part = asked[-1].strip() if asked else ""
    if not part or len(part.split()) < 3 or part == text.strip():
        return None
    return part


# "my pt asks whether...", "patient wants to know...", "she's asking if...", "family wonder..."
_RELAYED = re.compile(
    r"\b(?:asks?|asking|asked|wants? to know|wondering|wonders|wondered|keeps asking|"
    r"would like to know|is worried|worried|messaged|emailed|e-mailed|texted|wrote in|rang|"
    r"phoned|queried|enquired|inquired|heard|read (?:online|on|that|somewhere))\b",
    re.IGNORECASE,
)
# A message passed on in the sender's own words: "pt emailed: '...'", "husband: 'she's been
# on 4.5...'", or a pasted chat ("[09:14] Tom: do i take both?"). Group 1 is those words.
_QUOTED_MESSAGE = re.compile(
    r"(?:^\s*\[\d{1,2}:\d{2}\]\s*[^:\n\]]{1,30}:"
    r"|\b(?:pts?|patient|husband|wife|partner|mum|mom|mother|dad|father|son|daughter|carer|"
    r"family|pharmacist|pharmacy|colleague|gp)\b[^:'\"\n]{0,25}:\s*['\"\u2018\u201c]?"
    r"|\b(?:pts?|patient|husband|wife|partner|mum|mom|mother|dad|father|son|daughter|carer)\s+"
    r"(?:messaged|emailed|texted|wrote|writes|says|said)\s*['\"\u2018\u201c]"
    # "message translated by Google: '...'", "text from her this morning: \"...\""
    r"|\b(?:message|text|e-?mail|note|letter|voicemail)\b[^:'\"\n]{0,40}:\s*['\"\u2018\u201c])"
    r"\s*([^\n]{8,})",
    re.IGNORECASE | re.MULTILINE,
)


# What follows the relaying verb is the patient's own question ("... asks if she can halve
# the capsule" -> "she can halve the capsule").
_RELAYED_CLAUSE = re.compile(
    r"\b(?:asks?|asking|asked(?: me)?|wants? to know|wondering|wonders|wondered|keeps asking|"
    r"would like to know|is worried|worried)\s+(?:me\s+)?(?:if|whether|about|that|how|when|"
    r"what|why|can|could|should|is|does)?\s*([^.!?\n]{8,})",
    re.IGNORECASE,
)
MAX_QUESTION_PARTS = 3
# A quoted question: opened after a space or colon, closed before a space or the end (so the
# apostrophe of "friend's" neither opens nor closes one).
_QUOTED_QUESTION = re.compile(
    r"(?:^|(?<=[\s:]))['\"\u2018\u201c]([^\n]{10,}?\?)['\"\u2019\u201d](?=\s|$|[.,;)])"
)
# A message this long without a sentence break is read by its last words too.
RUN_ON_MIN_WORDS = 28
RUN_ON_TAIL_WORDS = 18


def run_on_tail(text: str) -> str | None:
    """The end of a long message with no sentence breaks (a voicemail transcript, a dictated
    note): "hi this is Maureen calling about my husband's ... feeling sick since they put the
    dose up to 3 can he go back down" asks in its last words, after the greeting and story."""
    for quoted in _QUOTED_MESSAGE.finditer(text):
        text = quoted.group(1)  # the sender's own words, if it is a relayed message
    words = text.strip(" '\"\u2019\u201d").split()
    if len(words) < RUN_ON_MIN_WORDS or re.search(r"[.!?;\n]\s", text.strip() + " "):
        return None
    return " ".join(words[-RUN_ON_TAIL_WORDS:])


def question_parts(text: str) -> list[str]:
    """Parts of a message worth searching on their own: the question of a long message, the
    patient's own words in a relayed question, and each question of a message that asks
    several; none when the message is a single plain question."""
    parts: list[str] = []
    main = question_part(text)
    if main:
        parts.append(main)
    relayed = _RELAYED_CLAUSE.search(text)
    if relayed and (mentions_a_patient(text) or _RELAYER.search(text)):
        parts.append(relayed.group(1).strip(" -,;:'\""))
    quoted = [m.group(1).strip(" -,;:'\"\u2019\u201d") for m in _QUOTED_MESSAGE.finditer(text)]
    if quoted:  # a pasted chat's lines together are the sender's message
        parts.append(" ".join(quoted))
    asked = [s.strip() for s in re.split(r"(?<=[.!?\n])\s+", text) if s.strip().endswith("?")]
    if len(asked) >= 2:
        parts.extend(a for a in asked if len(a.split()) >= 3)
    # a question quoted whole ("via reception: 'does the LDN make you lose weight?'")
    parts.extend(m.group(1).strip() for m in _QUOTED_QUESTION.finditer(text))
    tail = run_on_tail(text)
    if tail:
        parts.append(tail)
    whole = text.strip()
    unique = [p for p in dict.fromkeys(parts) if p and p != whole and len(p.split()) >= 3]
    return unique[:MAX_QUESTION_PARTS]


# Who passes a question on: "a patient's wife asked me", "one of our patients rang". Not a
# sign of a particular patient in general ("can a patient on methadone take LDN?" is general).
_RELAYER = re.compile(
    r"\b(?:a|one of (?:my|our|the)) (?:patients?|pts?|clients?)(?:'s)?\b"
    r"|\b(?:patient|pt)'?s? (?:wife|husband|partner|mum|mother|dad|father|daughter|son|carer)\b",
    re.IGNORECASE,
)


def relays_a_question(text: str) -> bool:
    """A question passed on from a patient or family member about a particular patient."""
    return bool(_QUOTED_MESSAGE.search(text)) or (
        bool(_RELAYED.search(text)) and (mentions_a_patient(text) or bool(_RELAYER.search(text)))
    )


# LDN named only to set it aside: "I'm not asking about naltrexone", "no LDN planned, just a
# wean", "nothing to do with LDN". Such a message is about something else.
_SETS_ASIDE = re.compile(
    r"\b(?:not (?:asking |talking )?(?:about|re|regarding)|nothing to do with|unrelated to|"
    r"not related to|apart from|other than|forget(?: about)?|leave aside|ignore)\s+"
    r"(?:the\s+)?$",
    re.IGNORECASE,
)
_SET_ASIDE_AFTER = re.compile(
    r"^\s+(?:is |isn't |are )?(?:not (?:planned|involved|relevant|being considered|on the table)|"
    r"planned:? no|n/a)\b",
    re.IGNORECASE,
)
_NO_BEFORE = re.compile(r"\bno\s+$", re.IGNORECASE)
_PLANNED_AFTER = re.compile(r"^\s+(?:planned|involved|intended|in the picture)\b", re.IGNORECASE)


def mentions_ldn(text: str) -> bool:
    """Whether LDN (or another naltrexone product) is named, other than to set it aside."""
    return any(not _set_aside(text, m) for m in _LDN.finditer(text))


def _set_aside(text: str, match: re.Match[str]) -> bool:
    before, after = text[max(0, match.start() - 40) : match.start()], text[match.end() :]
    return bool(
        _SETS_ASIDE.search(before)
        or _SET_ASIDE_AFTER.search(after[:40])
        or (_NO_BEFORE.search(before) and _PLANNED_AFTER.search(after[:30]))
    )


def followup_request(text: str) -> str | None:
    """ "sources?", "refs for that", "why?": the kind of request, or None."""
    stripped = text.strip()
    if len(stripped.split()) > 12:
        return None
    for kind, pattern in _FOLLOWUPS:
        if pattern.search(stripped):
            return kind
    return None


def is_question_shaped(text: str) -> bool:
    """A yes/no or how/when/which question: its answer should lead with a direct line."""
    last = re.split(r"(?<=[.!?\n])\s+", text.strip())[-1] if text.strip() else ""
    return bool(
        _QUESTION_START.search(last) or _YES_NO_INSIDE.search(text) or text.rstrip().endswith("?")
    )


# A case in shorthand that ends by naming LDN or asking to go ahead: "68F FM, no opioids.
# LDN?", "... LFTs normal - LDN ok?", "last oxycodone 15 days ago - go?".
_CASE_TAIL = re.compile(
    r"(?:^|[.,;:\n]|\s[-\u2013\u2014/]|\s\?)\s*(?:(?:for|re|and|then|so|trial(?: of)?|start)\s+)?"
    r"(?:(?:ldn|low[- ]?dose naltrexone)(?:\s+(?:ok|okay|reasonable|suitable|appropriate|"
    r"an option|now|then))?|(?:ok(?:ay)? to )?go(?: ahead)?)\s*\?+\s*$",
    re.IGNORECASE,
)


# Starting LDN itself named ("wants LDN", "start LDN", "add LDN"), as opposed to a start cue
# that belongs to another drug ("now starting bupropion") or to taking two together ("safe
# to take with her warfarin").
_STARTS_LDN = re.compile(
    r"\b(?:start\w*|begin\w*|initiat\w*|commenc\w*|prescrib\w*|trial of|try\w*|add\w*|"
    r"wants?|considering|put (?:him|her|them) on)\s+(?:(?:on|her|him|them|the|some)\s+)?"
    r"(?:ldn|low[- ]?dose naltrexone)\b"
    r"|\b(?:ldn|low[- ]?dose naltrexone)\s+(?:start|initiation|trial)\b",
    re.IGNORECASE,
)


def asks_to_start_ldn(text: str) -> bool:
    return bool(_STARTS_LDN.search(text))


# Words that ask where a schedule comes from or what backs it, not for one to be drawn up.
_ABOUT_A_SCHEDULE = re.compile(
    r"\b(?:papers?|sources?|evidence|references?|stud(?:y|ies)|trials?|based on|"
    r"c(?:o|a)mes? from|came from|who (?:says|recommends|came up)|guidelines?|taper\w*)\b",
    re.IGNORECASE,
)


def asks_about_a_schedule(text: str) -> bool:
    """A question about a schedule ("the titration schedule, it come from which paper?", "is
    there a taper schedule in your sources?"), not a request to draw one up: answered from
    the store, never with the schedule form's "from which day?"."""
    return is_question_shaped(text) and bool(_ABOUT_A_SCHEDULE.search(text))


def asks_about_starting(text: str) -> bool:
    """Whether the message asks whether or when LDN can be started (or continued) for a
    patient: the cue for a screening verdict next to the answer."""
    return bool(_STARTING.search(text) or _CASE_TAIL.search(text))


# Whether LDN helps, treats or has evidence in something: the question these conditions raise.
_ASKS_IF_IT_HELPS = re.compile(
    r"\b(?:help|helps|helped|helping|work|works|worked|effective|effectiveness|benefit\w*|"
    r"fix|fixes|fixed|cure|cures|treat|treats|treating|treatment for|good for|evidence|data|"
    r"stud(?:y|ies)|trials?|lower|lowers|reduce|reduces|shrink|shrinks|improve|improves|"
    r"try (?:it|ldn)|used? (?:it |ldn )?(?:in|for)|for (?:that|this))\b",
    re.IGNORECASE,
)


_ASKS_ABOUT_RESULTS = re.compile(
    r"\b(?:rcts?|results?|show(?:s|ed|n)?|found|guidelines?|efficacy|outcomes?|response|"
    r"remission|nnt|placebo)\b",
    re.IGNORECASE,
)


def asks_if_it_helps(text: str) -> bool:
    """Whether the text asks if LDN helps, works or has evidence in something."""
    return bool(_ASKS_IF_IT_HELPS.search(text))


# "will these still work or will the naltrexone cancel them out?": whether LDN stops
# another medicine working, an interaction question, not whether LDN works.
_ASKS_ABOUT_BLOCKING = re.compile(
    r"\b(?:still (?:work|be effective|help|do anything)|cancel(?:s|led|ling)? (?:\w+ )?out|"
    r"stop(?:s)? (?:\w+ )?(?:from )?working|block(?:s|ed|ing)?|counteract\w*)\b",
    re.IGNORECASE,
)


def asks_about_evidence(text: str) -> bool:
    """Whether the text asks if LDN helps or works, or what its studies found ("does it
    work?", "what did the RCT show?"); not whether LDN stops another medicine working."""
    if _ASKS_ABOUT_BLOCKING.search(text):
        return False
    return bool(_ASKS_IF_IT_HELPS.search(text) or _ASKS_ABOUT_RESULTS.search(text))
