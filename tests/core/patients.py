"""Patient descriptions shared by the screening tests."""

from __future__ import annotations

import dataclasses

from ldn_core.patient import PatientFacts


def clean_patient(**changes) -> PatientFacts:
    """A patient with every screening fact known and nothing against starting."""
    base = PatientFacts(
        indication="crps",
        opioid_free=True,
        procedure_planned=False,
        liver_status="normal",
        renal_impairment="none",
        pregnant=False,
        breastfeeding=False,
        planning_pregnancy=False,
        age_years=45,
        on_naltrexone_bupropion=False,
        on_naltrexone_50mg=False,
    )
    return dataclasses.replace(base, **changes)
