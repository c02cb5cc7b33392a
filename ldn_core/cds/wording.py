"""Short phrases for card summaries, keyed by the screening rules' ids and missing-fact keys.

Summaries must stay under 140 characters, so they name the reason; the rule's own text,
with its sources, is in the card's detail.
"""

from __future__ import annotations

from ldn_core.rules import Verdict

VERDICT_LABELS = {
    Verdict.DO_NOT_START: "Do not start LDN",
    Verdict.NEEDS_SPECIALIST_REVIEW: "Specialist review before LDN",
    Verdict.WAIT_UNTIL: "Wait before starting LDN",
    Verdict.INSUFFICIENT_INFORMATION: "More information needed before LDN",
    Verdict.CAN_START: "LDN can start",
}
RULE_PHRASES = {
    "opioid_current": "active opioid",
    "opioid_maintenance_current": "methadone/buprenorphine maintenance",
    "on_naltrexone_bupropion": "active naltrexone-bupropion",
    "on_naltrexone_full_dose": "active full-dose naltrexone",
    "naltrexone_hypersensitivity": "naltrexone hypersensitivity",
    "naltrexone_possible_reaction": "past reaction to naltrexone",
    "liver_acute_hepatitis": "acute hepatitis",
    "liver_decompensated_cirrhosis": "decompensated cirrhosis",
    "liver_raised_lfts": "raised liver tests",
    "opioid_stopped_long_acting": "recent long-acting opioid",
    "opioid_stopped_maintenance": "recent methadone/buprenorphine",
    "renal_severe": "severe kidney impairment",
    "pregnancy": "pregnancy",
    "breastfeeding": "breastfeeding",
    "age_under_18": "under 18",
    "indication_crohns": "Crohn's disease",
    "indication_other_naltrexone": "full-dose naltrexone indication",
    "opioid_washout_wait": "opioid-free interval",
    "procedure_defer_start": "planned procedure",
}
MISSING_PHRASES = {
    "opioid_status": "opioid use",
    "opioid_name": "which opioid",
    "liver_status": "liver status",
    "procedure_date": "procedure date",
    "procedure_needs_opioids": "opioids for the procedure",
    "procedure_planned": "planned procedures",
    "renal_impairment": "kidney function",
    "pregnant": "pregnancy",
    "breastfeeding": "breastfeeding",
    "age_years": "age",
    "other_naltrexone": "other naltrexone",
    "indication": "indication",
}


def missing_phrase(key: str) -> str:
    if ":" in key:
        what, drug = key.split(":", 1)
        return f"last dose of {drug}" if what == "opioid_last_dose" else f"is {drug} still taken"
    return MISSING_PHRASES.get(key, key.replace("_", " "))


def rule_phrase(rule_id: str) -> str:
    return RULE_PHRASES.get(rule_id, rule_id.replace("_", " "))


def fit_summary(text: str, limit: int = 139) -> str:
    """CDS Hooks asks for summaries under 140 characters: cut at a word, mark the cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
