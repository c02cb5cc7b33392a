"""Builds the synthetic hook requests of tests/cds/fixtures/ (no real patients).

Run ``python -m tests.cds.scenario_builder`` after changing a scenario: it rewrites the JSON
files, which the tests and scripts/cds_demo.py read. Every patient is invented; the order
date of every scenario is ORDER_DATE, so expected dates are fixed.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
ORDER_DATE = dt.date(2026, 12, 4)
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"


def day(offset: int) -> str:
    return (ORDER_DATE + dt.timedelta(days=offset)).isoformat()


def bundle(*resources: dict) -> dict:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r, "search": {"mode": "match"}} for r in resources],
    }


def patient(birth: str = "1975-05-20", gender: str = "female") -> dict:
    return {"resourceType": "Patient", "id": "pt-1", "gender": gender, "birthDate": birth}


def med(
    rid: str,
    text: str,
    status: str = "active",
    code: str | None = None,
    start: int | None = -60,
    end: int | None = None,
    dose_mg: float | None = None,
) -> dict:
    concept: dict = {"text": text}
    if code:
        concept["coding"] = [{"system": RXNORM, "code": code, "display": text}]
    resource: dict = {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": status,
        "intent": "order",
        "subject": {"reference": "Patient/pt-1"},
        "medicationCodeableConcept": concept,
        "authoredOn": day(start if start is not None else -60),
    }
    if start is not None or end is not None or dose_mg is not None:
        dosage: dict = {"timing": {"repeat": {"boundsPeriod": {}}}}
        if start is not None:
            dosage["timing"]["repeat"]["boundsPeriod"]["start"] = day(start)
        if end is not None:
            dosage["timing"]["repeat"]["boundsPeriod"]["end"] = day(end)
        if dose_mg is not None:
            dosage["doseAndRate"] = [
                {
                    "doseQuantity": {
                        "value": dose_mg,
                        "unit": "mg",
                        "system": "http://unitsofmeasure.org",
                        "code": "mg",
                    }
                }
            ]
        resource["dosageInstruction"] = [dosage]
    return resource


def condition(rid: str, text: str, icd: str | None = None, status: str = "active") -> dict:
    code: dict = {"text": text}
    if icd:
        code["coding"] = [{"system": ICD10, "code": icd, "display": text}]
    return {
        "resourceType": "Condition",
        "id": rid,
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": status,
                }
            ]
        },
        "verificationStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "code": "confirmed",
                }
            ]
        },
        "code": code,
        "subject": {"reference": "Patient/pt-1"},
    }


def lab(
    rid: str,
    loinc: str,
    name: str,
    value: float,
    unit: str,
    offset: int,
    high: float | None = None,
    flag: str | None = None,
) -> dict:
    resource: dict = {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": loinc, "display": name}], "text": name},
        "subject": {"reference": "Patient/pt-1"},
        "effectiveDateTime": day(offset),
        "valueQuantity": {"value": value, "unit": unit},
    }
    if high is not None:
        resource["referenceRange"] = [{"high": {"value": high, "unit": unit}}]
    if flag:
        resource["interpretation"] = [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                        "code": flag,
                    }
                ]
            }
        ]
    return resource


def normal_labs() -> list[dict]:
    return [
        lab("alt-1", "1742-6", "ALT", 22, "U/L", -20, high=40),
        lab("ast-1", "1920-8", "AST", 25, "U/L", -20, high=40),
        lab("egfr-1", "62238-1", "eGFR", 95, "mL/min/1.73m2", -20),
    ]


def not_pregnant(offset: int = -20) -> dict:
    return {
        "resourceType": "Observation",
        "id": "preg-1",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "82810-3", "display": "Pregnancy status"}]},
        "subject": {"reference": "Patient/pt-1"},
        "effectiveDateTime": day(offset),
        "valueCodeableConcept": {"text": "Not pregnant"},
    }


def service_request(rid: str, text: str, offset: int) -> dict:
    return {
        "resourceType": "ServiceRequest",
        "id": rid,
        "status": "active",
        "intent": "order",
        "code": {"text": text},
        "subject": {"reference": "Patient/pt-1"},
        "occurrenceDateTime": day(offset),
    }


def draft_ldn(
    dose_mg: float = 1.5,
    text: str = "naltrexone 1 mg/mL oral liquid (compounded)",
    code: str | None = "7243",
    rid: str = "draft-ldn",
    reason: str = "Complex regional pain syndrome type 1",
) -> dict:
    order = med(rid, text, status="draft", code=code, start=0, dose_mg=dose_mg)
    order["authoredOn"] = day(0)
    order["reasonCode"] = [{"text": reason}]
    return order


def request(
    prefetch: dict | None,
    order: dict | None = None,
    hook: str = "order-select",
    instance: str = "scenario",
) -> dict:
    order = order or draft_ldn()
    body: dict = {
        "hook": hook,
        "hookInstance": f"{instance}-0000-4000-8000-000000000000",
        "context": {
            "userId": "Practitioner/dr-a",
            "patientId": "pt-1",
            "draftOrders": bundle(order),
        },
    }
    if hook == "order-select":
        body["context"]["selections"] = [f"MedicationRequest/{order['id']}"]
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body


def full_prefetch(meds=(), conditions=(), observations=None, services=(), pt=None) -> dict:
    return {
        "patient": pt or patient(),
        "medications": bundle(*meds),
        "conditions": bundle(*conditions),
        "observations": bundle(
            *(normal_labs() + [not_pregnant()] if observations is None else observations)
        ),
        "serviceRequests": bundle(*services),
        "procedures": bundle(),
    }


def with_meds(*meds: dict) -> dict:
    return request(full_prefetch(meds=list(meds)))


def tramadol(status: str, start: int, end: int) -> dict:
    return med("tram", "tramadol 50 mg oral tablet", status, code="10689", start=start, end=end)


def scenarios() -> dict[str, dict]:
    s: dict[str, dict] = {}

    def add(name, description, body, **expect):
        s[name] = {"description": description, "request": body, "expect": expect}

    add(
        "clean_patient",
        "No opioids, normal labs, not pregnant: LDN can start with titration.",
        request(full_prefetch()),
        indicator="info",
        verdict="can_start",
        suggestion=True,
    )
    add(
        "current_oxycodone",
        "Active oxycodone 5 mg order: do not start; path forward dated.",
        request(
            full_prefetch(
                meds=[
                    med("oxy", "oxycodone hydrochloride 5 mg oral tablet", code="7804", start=-30)
                ]
            )
        ),
        indicator="critical",
        verdict="do_not_start",
        summary_has="oxycodone",
        detail_has=day(7),
    )
    add(
        "tramadol_stopped_5_days",
        "Tramadol stopped 5 days ago: wait until day 7.",
        with_meds(tramadol("stopped", start=-40, end=-5)),
        indicator="warning",
        verdict="wait_until",
        summary_has=day(2),
        suggestion=True,
    )
    add(
        "tramadol_stopped_20_days",
        "Tramadol stopped 20 days ago: washout complete.",
        with_meds(tramadol("completed", start=-60, end=-20)),
        indicator="info",
        verdict="can_start",
        suggestion=True,
    )
    add(
        "buprenorphine_patch",
        "Active Butrans (buprenorphine patch): do not start.",
        request(
            full_prefetch(meds=[med("bup", "Butrans 10 mcg/hour transdermal patch", start=-90)])
        ),
        indicator="critical",
        verdict="do_not_start",
        summary_has="buprenorphine",
    )
    add(
        "buprenorphine_patch_stopped",
        "Butrans stopped 12 days ago: specialist review.",
        request(
            full_prefetch(
                meds=[
                    med(
                        "bup",
                        "Butrans 10 mcg/hour transdermal patch",
                        status="stopped",
                        start=-90,
                        end=-12,
                    )
                ]
            )
        ),
        indicator="warning",
        verdict="needs_specialist_review",
        summary_has="long-acting",
    )
    add(
        "methadone_maintenance",
        "Methadone maintenance: do not start.",
        request(
            full_prefetch(
                meds=[med("mtd", "methadone 60 mg oral solution daily", code="6813", start=-300)]
            )
        ),
        indicator="critical",
        verdict="do_not_start",
        summary_has="methadone",
    )
    add(
        "naltrexone_bupropion",
        "Active Contrave: another naltrexone product, do not start.",
        request(
            full_prefetch(
                meds=[med("ctr", "Contrave (naltrexone/bupropion) 8 mg/90 mg", start=-50)]
            )
        ),
        indicator="critical",
        verdict="do_not_start",
        summary_has="naltrexone-bupropion",
    )
    add(
        "naltrexone_50mg_active",
        "Active naltrexone 50 mg: do not start LDN as well.",
        request(
            full_prefetch(
                meds=[
                    med(
                        "ntx50",
                        "naltrexone hydrochloride 50 mg oral tablet",
                        code="7243",
                        start=-50,
                        dose_mg=50,
                    )
                ]
            )
        ),
        indicator="critical",
        verdict="do_not_start",
        summary_has="full-dose naltrexone",
    )
    add(
        "acute_hepatitis",
        "Active acute hepatitis A: do not start.",
        request(full_prefetch(conditions=[condition("hep", "Acute hepatitis A", icd="B15.9")])),
        indicator="critical",
        verdict="do_not_start",
        summary_has="acute hepatitis",
    )
    add(
        "raised_lfts",
        "ALT flagged high: specialist review.",
        request(
            full_prefetch(
                observations=[
                    lab("alt-1", "1742-6", "ALT", 130, "U/L", -10, high=40, flag="H"),
                    lab("egfr-1", "62238-1", "eGFR", 95, "mL/min/1.73m2", -10),
                    not_pregnant(),
                ]
            )
        ),
        indicator="warning",
        verdict="needs_specialist_review",
        summary_has="raised liver",
    )
    add(
        "cirrhosis_unstaged",
        "Cirrhosis without stage: liver status unknown, ask.",
        request(full_prefetch(conditions=[condition("cir", "Cirrhosis of liver", icd="K74.60")])),
        indicator="warning",
        verdict="insufficient_information",
        summary_has="liver status",
    )
    add(
        "pregnancy",
        "Active pregnancy condition: specialist review.",
        request(
            full_prefetch(
                conditions=[condition("preg", "Pregnancy, second trimester", icd="Z33.1")],
                observations=normal_labs(),
            )
        ),
        indicator="warning",
        verdict="needs_specialist_review",
        summary_has="pregnancy",
    )
    add(
        "surgery_next_week",
        "Knee replacement in 7 days: opioid need unknown, ask.",
        request(full_prefetch(services=[service_request("sr-1", "Total knee replacement", 7)])),
        indicator="warning",
        verdict="insufficient_information",
        summary_has="opioids for the procedure",
        detail_has=day(7),
    )
    add(
        "severe_renal",
        "eGFR 22: severe kidney impairment, specialist review.",
        request(
            full_prefetch(
                observations=[
                    lab("alt-1", "1742-6", "ALT", 22, "U/L", -20, high=40),
                    lab("egfr-1", "62238-1", "eGFR", 22, "mL/min/1.73m2", -20),
                    not_pregnant(),
                ]
            )
        ),
        indicator="warning",
        verdict="needs_specialist_review",
        summary_has="kidney",
    )
    add(
        "no_labs",
        "No recent liver tests: liver status missing.",
        request(full_prefetch(observations=[not_pregnant()])),
        indicator="warning",
        verdict="insufficient_information",
        summary_has="liver status",
    )
    add(
        "stale_labs",
        "Liver tests 200 days old: too old to count, liver status missing.",
        request(
            full_prefetch(
                observations=[
                    lab("alt-1", "1742-6", "ALT", 22, "U/L", -200, high=40),
                    lab("ast-1", "1920-8", "AST", 25, "U/L", -200, high=40),
                ]
            )
        ),
        indicator="warning",
        verdict="insufficient_information",
        summary_has="liver status",
    )
    add(
        "adolescent",
        "Patient aged 16: specialist review.",
        request(full_prefetch(pt=patient(birth="2010-03-01"))),
        indicator="warning",
        verdict="needs_specialist_review",
        summary_has="under 18",
    )
    add(
        "loperamide_only",
        "Loperamide only: an interaction note, still can start.",
        request(full_prefetch(meds=[med("lop", "loperamide 2 mg capsule", start=-10)])),
        indicator="info",
        verdict="can_start",
        suggestion=True,
    )
    add(
        "opioid_by_text_only",
        "Uncoded 'Percocet 5/325': the lexicon finds oxycodone.",
        request(full_prefetch(meds=[med("perc", "Percocet 5/325 tablets", start=-3)])),
        indicator="critical",
        verdict="do_not_start",
        summary_has="oxycodone",
    )
    add(
        "opioid_stopped_no_date",
        "Oxycodone completed with no end date: last dose asked.",
        request(
            full_prefetch(
                meds=[
                    med("oxy", "oxycodone 5 mg tablet", status="completed", code="7804", start=-15)
                ]
            )
        ),
        indicator="warning",
        verdict="insufficient_information",
        summary_has="last dose",
    )
    add(
        "order_sign_clean",
        "The order-sign hook on a clean patient.",
        request(full_prefetch(), hook="order-sign"),
        indicator="info",
        verdict="can_start",
        suggestion=True,
    )
    add(
        "naltrexone_50mg_order",
        "A 50 mg naltrexone order: not LDN, a different card.",
        request(full_prefetch(), order=draft_ldn(50, "naltrexone 50 mg oral tablet")),
        indicator="info",
        topic="not_ldn",
        summary_has="Not an LDN order",
    )
    add(
        "malformed_resource",
        "One medication fails FHIR validation: unknown, never absent.",
        request(
            full_prefetch(
                meds=[
                    {
                        "resourceType": "MedicationRequest",
                        "id": "bad",
                        "status": "not-a-status",
                        "intent": "order",
                        "authoredOn": "last tuesday",
                        "medicationCodeableConcept": {"text": "oxycodone"},
                    }
                ]
            )
        ),
        indicator="warning",
        verdict="insufficient_information",
        unreadable=True,
        summary_has="opioid use",
    )
    add(
        "not_naltrexone_order",
        "A draft order for ibuprofen: no cards.",
        request(full_prefetch(), order=draft_ldn(400, "ibuprofen 400 mg tablet", code=None)),
        cards=0,
    )
    add(
        "fibromyalgia_indication",
        "An order for fibromyalgia: can start, with the FINAL trial's result on the card.",
        request(full_prefetch(), order=draft_ldn(reason="Fibromyalgia")),
        indicator="info",
        verdict="can_start",
        suggestion=True,
        detail_has="FINAL",
    )
    add(
        "crohns_indication",
        "An order for Crohn's disease: specialist review (guideline against).",
        request(full_prefetch(), order=draft_ldn(reason="Crohn's disease")),
        indicator="warning",
        verdict="needs_specialist_review",
        summary_has="Crohn's disease",
    )
    add("missing_prefetch", "No prefetch and no fhirServer: HTTP 412.", request(None), status=412)
    return s


def main() -> None:
    FIXTURES.mkdir(exist_ok=True)
    for old in FIXTURES.glob("*.json"):
        old.unlink()
    for name, scenario in scenarios().items():
        path = FIXTURES / f"{name}.json"
        path.write_text(json.dumps(scenario, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(scenarios())} scenarios to {FIXTURES}")


if __name__ == "__main__":
    main()
