"""Every synthetic scenario through the check (no HTTP): the fixtures are valid FHIR, the
cards match what the scenario expects, and every response obeys the CDS Hooks schema."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.medicationrequest import MedicationRequest

from ldn_core.cds.fhir_record import parse_resource
from ldn_core.cds.service import check_order, missing_prefetch, validate_request
from tests.cds.conftest import ORDER_DATE, load_scenario, scenario_names

SCENARIOS = scenario_names()
DELIBERATELY_MALFORMED = {"malformed_resource"}


def resources(request: dict):
    for value in (request.get("prefetch") or {}).values():
        if value.get("resourceType") == "Bundle":
            yield from (e["resource"] for e in value.get("entry", []))
        else:
            yield value


def test_at_least_twenty_scenarios():
    assert len(SCENARIOS) >= 20


@pytest.mark.parametrize("name", SCENARIOS)
def test_fixture_is_valid_fhir(name):
    request = load_scenario(name)["request"]
    Bundle.model_validate(request["context"]["draftOrders"])
    for entry in request["context"]["draftOrders"]["entry"]:
        MedicationRequest.model_validate(entry["resource"])
    problems = [p for r in resources(request) if (p := parse_resource(r)[1])]
    if name in DELIBERATELY_MALFORMED:
        assert problems, "the malformed scenario must contain an invalid resource"
    else:
        assert problems == []


def run(name: str) -> tuple[dict, dict]:
    scenario = load_scenario(name)
    validate_request(scenario["request"])
    return scenario["expect"], check_order(scenario["request"], ORDER_DATE)


@pytest.mark.parametrize(
    "name", [n for n in SCENARIOS if "status" not in load_scenario(n)["expect"]]
)
def test_scenario_cards(name, response_validator):
    expect, response = run(name)
    response_validator.validate(response)
    cards = response["cards"]
    if "cards" in expect:
        assert len(cards) == expect["cards"]
        return
    main = cards[0]
    assert main["indicator"] == expect["indicator"]
    topic = main["source"]["topic"]["code"]
    assert topic == expect.get("verdict", expect.get("topic"))
    if "summary_has" in expect:
        assert expect["summary_has"] in main["summary"]
    if "detail_has" in expect:
        assert expect["detail_has"] in main["detail"]
    assert bool(main.get("suggestions")) == bool(expect.get("suggestion"))
    unreadable = [c for c in cards if c["source"]["topic"]["code"] == "unreadable_record"]
    assert bool(unreadable) == bool(expect.get("unreadable"))


def test_missing_prefetch_is_detected():
    request = load_scenario("missing_prefetch")["request"]
    validate_request(request)
    assert missing_prefetch(request) == [
        "patient",
        "medications",
        "conditions",
        "observations",
        "serviceRequests",
        "procedures",
    ]


def test_current_opioid_card_gives_path_forward_with_dates():
    _, response = run("current_oxycodone")
    card = response["cards"][0]
    assert card["summary"] == (
        "Do not start LDN: active opioid (oxycodone). If stopped today, earliest start 2026-12-11"
    )
    assert "2026-12-14" in card["detail"]  # the conservative day 10
    assert "suggestions" not in card  # the rules give no schedule while opioids are taken
    assert card["overrideReasons"]


def test_wait_card_starts_titration_on_earliest_date():
    _, response = run("tramadol_stopped_5_days")
    card = response["cards"][0]
    steps = card["suggestions"][0]["actions"][0]["resource"]["dosageInstruction"]
    assert [s["timing"]["repeat"]["boundsPeriod"]["start"] for s in steps] == [
        "2026-12-06",
        "2026-12-20",
        "2027-01-03",
    ]
    assert [s["doseAndRate"][0]["doseQuantity"]["value"] for s in steps] == [1.5, 3.0, 4.5]


def test_titration_suggestion_is_a_valid_medication_request():
    _, response = run("clean_patient")
    action = response["cards"][0]["suggestions"][0]["actions"][0]
    assert action["type"] == "update"
    updated = MedicationRequest.model_validate(action["resource"])
    assert updated.id == "draft-ldn"
    assert len(updated.dosageInstruction) == 3


def test_a_can_start_card_is_never_an_unqualified_clearance():
    _, response = run("clean_patient")
    card = response["cards"][0]
    assert card["indicator"] == "info"
    assert "confirm" in card["summary"] and len(card["summary"]) < 140
    assert "Worth confirming" in card["detail"]


def test_cards_cite_sources_with_links():
    for name in ("current_oxycodone", "clean_patient", "acute_hepatitis"):
        _, response = run(name)
        card = response["cards"][0]
        assert card["links"], name
        assert all(
            link["url"].startswith(
                (
                    "https://doi.org/",
                    "https://pubmed.ncbi.nlm.nih.gov/",
                    "https://pmc.",
                    "https://clinicaltrials.gov/",
                    "http",
                )
            )
            for link in card["links"]
        )
        assert "[1]" in card["detail"] and "**References**" in card["detail"]


def test_stale_stopped_opioid_is_not_counted():
    scenario = load_scenario("tramadol_stopped_20_days")
    meds = scenario["request"]["prefetch"]["medications"]["entry"]
    meds[0]["resource"]["dosageInstruction"][0]["timing"]["repeat"]["boundsPeriod"]["end"] = (
        "2026-01-01"
    )
    response = check_order(scenario["request"], ORDER_DATE)
    assert "tramadol 50 mg oral tablet" not in response["cards"][0]["detail"]
    assert response["cards"][0]["indicator"] == "info"


def test_order_select_checks_only_selected_orders():
    scenario = load_scenario("current_oxycodone")
    scenario["request"]["context"]["selections"] = ["MedicationRequest/something-else"]
    assert check_order(scenario["request"], ORDER_DATE) == {"cards": []}


def test_low_dose_threshold_is_six_mg():
    from tests.cds.scenario_builder import draft_ldn, full_prefetch, request

    for dose, topic in ((6, "can_start"), (7, "not_ldn")):
        body = request(full_prefetch(), order=draft_ldn(dose))
        card = check_order(body, ORDER_DATE)["cards"][0]
        assert card["source"]["topic"]["code"] == topic, dose


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda b: b.pop("hookInstance"), "hookInstance"),
        (lambda b: b.update(hook="patient-view"), "hook must be"),
        (lambda b: b["context"].pop("patientId"), "patientId"),
        (lambda b: b["context"].update(draftOrders=[]), "draftOrders"),
        (lambda b: b["context"].pop("selections"), "selections"),
        (lambda b: b.update(prefetch=[]), "prefetch"),
    ],
)
def test_malformed_requests_are_refused(mutate, message):
    from ldn_core.cds import HookError

    body = load_scenario("clean_patient")["request"]
    mutate(body)
    with pytest.raises(HookError) as caught:
        validate_request(body)
    assert caught.value.status == 400 and message in caught.value.message


def test_existing_ldn_order_is_reported_from_the_record():
    from tests.cds.scenario_builder import draft_ldn, with_meds

    existing = draft_ldn(4.5, rid="old-ldn")
    existing["status"] = "active"
    card = check_order(with_meds(existing), ORDER_DATE)["cards"][0]
    assert "An active naltrexone order already exists" in card["detail"]


def test_unknown_medication_status_is_never_read_as_no_opioid():
    from tests.cds.scenario_builder import med, with_meds

    body = with_meds(med("oxy", "oxycodone 5 mg tablet", status="unknown", code="7804"))
    card = check_order(body, ORDER_DATE)["cards"][0]
    assert card["source"]["topic"]["code"] == "insufficient_information"
    assert "is oxycodone still taken" in card["summary"]


def test_refuted_condition_is_ignored():
    from tests.cds.scenario_builder import condition, full_prefetch, request

    refuted = condition("hep", "Acute hepatitis A", icd="B15.9")
    refuted["verificationStatus"]["coding"][0]["code"] = "refuted"
    card = check_order(request(full_prefetch(conditions=[refuted])), ORDER_DATE)["cards"][0]
    assert card["indicator"] == "info"


def test_concentration_in_the_text_is_not_read_as_a_dose():
    from tests.cds.scenario_builder import draft_ldn, full_prefetch, request

    order = draft_ldn()
    del order["dosageInstruction"]
    card = check_order(request(full_prefetch(), order=order), ORDER_DATE)["cards"][0]
    assert card["source"]["topic"]["code"] == "dose_unknown"
    assert card["indicator"] == "warning"


def test_operation_outcome_in_place_of_a_search_counts_as_missing():
    body = load_scenario("clean_patient")["request"]
    body["prefetch"]["medications"] = {"resourceType": "OperationOutcome", "issue": []}
    assert missing_prefetch(body) == ["medications"]


def test_a_search_result_cut_into_pages_is_never_read_as_complete():
    body = load_scenario("clean_patient")["request"]
    body["prefetch"]["medications"]["link"] = [
        {"relation": "next", "url": "https://ehr.example.test/fhir/MedicationRequest?page=2"}
    ]
    cards = check_order(body, ORDER_DATE)["cards"]
    assert cards[0]["source"]["topic"]["code"] == "insufficient_information"
    assert "opioid use" in cards[0]["summary"]
    assert cards[1]["source"]["topic"]["code"] == "unreadable_record"
