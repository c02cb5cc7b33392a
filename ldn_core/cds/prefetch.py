"""The prefetch templates of the service, and the FHIR searches behind them (used when the
EHR sends no prefetch and the service queries ``fhirServer`` itself)."""

from __future__ import annotations

from .patient_facts import EGFR_CODES, LIVER_LABS, LOINC, PREGNANCY_STATUS

_OBSERVATION_CODES = ",".join(
    f"{LOINC}|{code}" for code in (*LIVER_LABS, *sorted(EGFR_CODES), PREGNANCY_STATUS)
)
PATIENT = "{{context.patientId}}"

# Medication, condition and procedure searches are not narrowed by date: prefetch tokens
# have no date arithmetic, and the service applies the order-date windows itself.
PREFETCH = {
    "patient": f"Patient/{PATIENT}",
    "medications": f"MedicationRequest?patient={PATIENT}"
    "&status=active,on-hold,completed,stopped,unknown",
    "conditions": f"Condition?patient={PATIENT}",
    "observations": f"Observation?patient={PATIENT}&code={_OBSERVATION_CODES}&_sort=-date",
    "serviceRequests": f"ServiceRequest?patient={PATIENT}&status=draft,active,on-hold",
    "procedures": f"Procedure?patient={PATIENT}&status=preparation",
}


def query_for(key: str, patient_id: str) -> str:
    """The relative FHIR URL of one prefetch key for ``patient_id``."""
    return PREFETCH[key].replace(PATIENT, patient_id)
