"""Deterministic LDN dosing and screening rules; the rule data lives in knowledge/rules/."""

from .data import RulesDataError
from .dosing import DoseAssessment, DosingError, Schedule, ScheduleRow, build_schedule, check_dose
from .opioids import (
    canonical_opioid,
    interaction_note,
    lookup_opioid,
    naltrexone_product,
    opioid_kind,
)
from .screening import Reason, ScreeningResult, Verdict, screen

__all__ = [
    "DoseAssessment",
    "DosingError",
    "Reason",
    "RulesDataError",
    "Schedule",
    "ScheduleRow",
    "ScreeningResult",
    "Verdict",
    "build_schedule",
    "canonical_opioid",
    "check_dose",
    "interaction_note",
    "lookup_opioid",
    "naltrexone_product",
    "opioid_kind",
    "screen",
]
