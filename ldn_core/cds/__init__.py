"""CDS Hooks decision support for LDN orders: plain Python, no HTTP and no Rasa.

``fhir_record`` reads the patient's FHIR resources (R4 content, parsed with the
``fhir.resources`` R4B models), ``draft_order`` decides whether the order being written is
LDN, ``patient_facts`` maps the record onto ``ldn_core.patient.PatientFacts`` relative to the
order date, and ``cards`` turns the screening core's verdict into CDS Hooks cards.
``service`` ties them together for one hook call; the HTTP app is ``cds_service``.
"""

from .service import SERVICE_ID, HookError, check_order, discovery

__all__ = ["SERVICE_ID", "HookError", "check_order", "discovery"]
