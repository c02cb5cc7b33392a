"""The HTTP service in-process on a free port: discovery, hooks, 4xx answers, fetching from
a fake FHIR server with the bearer token, feedback in SQLite, and JWT verification against
a fake issuer's JWKS (all on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
import uuid

import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from cds_service.app import make_app
from cds_service.feedback_store import FeedbackStore
from cds_service.settings import CdsSettings
from tests.cds.conftest import ServedApp, load_scenario

FHIR_TOKEN = "fhir-access-token-123"
ISSUER = "https://ehr.example.test"


def call(url: str, body: object | None = None, token: str | None = None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def settings(tmp_path, port: int, **overrides) -> CdsSettings:
    values = dict(
        host="127.0.0.1",
        port=port,
        public_url=f"http://127.0.0.1:{port}",
        data_dir=tmp_path,
        require_jwt=False,
        trusted_issuers={},
        public_key_pem=None,
    )
    values.update(overrides)
    return CdsSettings(**values)


class FakeEhr:
    """A FHIR server that answers the prefetch searches from a scenario and a JWKS."""

    def __init__(self, prefetch: dict, public_jwk: dict | None = None) -> None:
        self.prefetch, self.seen_tokens, self.paths = prefetch, [], []
        self.pages: dict[str, dict] = {}  # ?page=N -> a later page of a search result
        app = web.Application()
        app.router.add_get("/fhir/{tail:.*}", self.fhir)
        self.jwks = {"keys": [public_jwk or {}]}
        app.router.add_get("/jwks", self.keys)
        self.served = ServedApp(app)

    async def keys(self, request: web.Request) -> web.Response:
        return web.json_response(self.jwks)

    async def fhir(self, request: web.Request) -> web.Response:
        self.seen_tokens.append(request.headers.get("Authorization"))
        self.paths.append(request.path_qs)
        if request.query.get("page") in self.pages:
            return web.json_response(self.pages[request.query["page"]])
        resource = request.match_info["tail"].split("/")[0].split("?")[0]
        key = {
            "Patient": "patient",
            "MedicationRequest": "medications",
            "Condition": "conditions",
            "Observation": "observations",
            "ServiceRequest": "serviceRequests",
            "Procedure": "procedures",
        }[resource]
        return web.json_response(self.prefetch[key])


@pytest.fixture
def service(tmp_path):
    from tests.cds.conftest import free_port

    port = free_port()
    served = ServedApp(make_app(settings(tmp_path, port)), port)
    yield served
    served.close()


def test_discovery_lists_both_hooks_with_prefetch(service):
    status, body = call(f"{service.url}/cds-services")
    assert status == 200
    hooks = {s["hook"]: s for s in body["services"]}
    assert set(hooks) == {"order-select", "order-sign"}
    assert hooks["order-select"]["id"] == "ldn-order-check"
    assert (
        "MedicationRequest?patient={{context.patientId}}"
        in (hooks["order-select"]["prefetch"]["medications"])
    )


def test_hook_with_prefetch_returns_cards(service, response_validator):
    status, body = call(
        f"{service.url}/cds-services/ldn-order-check", load_scenario("current_oxycodone")["request"]
    )
    assert status == 200
    response_validator.validate(body)
    assert body["cards"][0]["indicator"] == "critical"


def test_missing_prefetch_without_fhir_server_is_412(service):
    status, body = call(
        f"{service.url}/cds-services/ldn-order-check", load_scenario("missing_prefetch")["request"]
    )
    assert status == 412 and "patient" in body["error"]


@pytest.mark.parametrize("body", ["not json", {"hook": "order-select"}, []])
def test_malformed_hook_request_is_400(service, body):
    data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    req = urllib.request.Request(
        f"{service.url}/cds-services/ldn-order-check",
        data=data,
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(req, timeout=10)
    assert caught.value.code == 400
    assert "error" in json.loads(caught.value.read())


def test_unknown_service_is_404(service):
    status, _ = call(f"{service.url}/cds-services/nope", load_scenario("clean_patient")["request"])
    assert status == 404


def test_fetches_from_fhir_server_with_bearer_token(service):
    scenario = load_scenario("current_oxycodone")
    ehr = FakeEhr(scenario["request"]["prefetch"])
    try:
        body = scenario["request"]
        body.pop("prefetch")
        body["fhirServer"] = f"{ehr.served.url}/fhir"
        body["fhirAuthorization"] = {
            "access_token": FHIR_TOKEN,
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "patient/*.read",
            "subject": "ldn-cds",
        }
        status, result = call(f"{service.url}/cds-services/ldn-order-check", body)
    finally:
        ehr.served.close()
    assert status == 200
    assert result["cards"][0]["indicator"] == "critical"
    assert ehr.seen_tokens == [f"Bearer {FHIR_TOKEN}"] * 6
    assert any(p.startswith("/fhir/Patient/pt-1") for p in ehr.paths)


def test_unreachable_fhir_server_is_502(service):
    from tests.cds.conftest import free_port

    body = load_scenario("missing_prefetch")["request"]
    body["fhirServer"] = f"http://127.0.0.1:{free_port()}/fhir"
    status, result = call(f"{service.url}/cds-services/ldn-order-check", body)
    assert status == 502 and "unreachable" in result["error"]


def test_feedback_is_stored(service, tmp_path):
    card = str(uuid.uuid4())
    feedback = {
        "feedback": [
            {
                "card": card,
                "outcome": "overridden",
                "outcomeTimestamp": "2026-12-04T10:00:00Z",
                "overrideReason": {
                    "reason": {
                        "system": "urn:ldn-assistant:override-reason",
                        "code": "specialist-agreed",
                    },
                    "userComment": "pain team agreed",
                },
            },
            {
                "card": str(uuid.uuid4()),
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": "s-1"}],
            },
        ]
    }
    status, body = call(f"{service.url}/cds-services/ldn-order-check/feedback", feedback)
    assert (status, body) == (200, {"stored": 2})
    rows = FeedbackStore(tmp_path / "cds_feedback.db").all()
    assert [(r["card_uuid"], r["outcome"], r["override_code"]) for r in rows][0] == (
        card,
        "overridden",
        "specialist-agreed",
    )
    assert json.loads(rows[1]["accepted_suggestions"]) == ["s-1"]


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"feedback": [{"card": "x", "outcome": "maybe"}]},
        {"feedback": [{"outcome": "accepted"}]},
    ],
)
def test_bad_feedback_is_400_and_not_stored(service, tmp_path, bad):
    status, _ = call(f"{service.url}/cds-services/ldn-order-check/feedback", bad)
    assert status == 400
    assert FeedbackStore(tmp_path / "cds_feedback.db").all() == []


# ---------------------------------------------------------------- JWT


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def token(key, aud: str, **claims) -> str:
    now = int(time.time())
    payload = {
        "iss": ISSUER,
        "sub": "ehr-client",
        "aud": aud,
        "iat": now,
        "exp": now + 300,
        "jti": str(uuid.uuid4()),
        **claims,
    }
    return jwt.encode(payload, key, algorithm="RS384", headers={"kid": "k1"})


@pytest.fixture
def secured(tmp_path, rsa_key):
    """Service requiring JWTs, trusting ISSUER whose JWKS is served by a fake EHR."""
    from tests.cds.conftest import free_port

    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    jwk.update(kid="k1", alg="RS384", use="sig")
    ehr = FakeEhr({}, jwk)
    port = free_port()
    app = make_app(
        settings(
            tmp_path, port, require_jwt=True, trusted_issuers={ISSUER: f"{ehr.served.url}/jwks"}
        )
    )
    served = ServedApp(app, port)
    yield served
    served.close()
    ehr.served.close()


def endpoint(served) -> str:
    return f"{served.url}/cds-services/ldn-order-check"


def test_valid_jwt_is_accepted(secured, rsa_key):
    body = load_scenario("clean_patient")["request"]
    status, result = call(endpoint(secured), body, token(rsa_key, endpoint(secured)))
    assert status == 200 and result["cards"][0]["indicator"] == "info"


def test_unsigned_call_is_refused_when_required(secured):
    status, result = call(endpoint(secured), load_scenario("clean_patient")["request"])
    assert status == 401 and "required" in result["error"]


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda k, aud: token(k, "https://other.example/cds-services/ldn-order-check"), "audience"),
        (lambda k, aud: token(k, aud, exp=int(time.time()) - 120), "expired"),
        (lambda k, aud: token(k, aud, iss="https://evil.example"), "issuer not trusted"),
        (
            lambda k, aud: token(
                rsa.generate_private_key(public_exponent=65537, key_size=2048), aud
            ),
            "signature",
        ),
        (
            lambda k, aud: jwt.encode(
                {
                    "iss": ISSUER,
                    "aud": aud,
                    "exp": int(time.time()) + 60,
                    "iat": int(time.time()),
                    "jti": "1",
                },
                "shared-secret-long-enough-for-hs256-0123",
                algorithm="HS256",
            ),
            "algorithm",
        ),
        (lambda k, aud: "not.a.jwt", "malformed"),
    ],
)
def test_bad_jwts_are_refused(secured, rsa_key, make, reason):
    status, result = call(
        endpoint(secured),
        load_scenario("clean_patient")["request"],
        make(rsa_key, endpoint(secured)),
    )
    assert status == 401
    assert reason in result["error"].lower()


def test_production_profile_requires_jwt_by_default():
    assert CdsSettings.from_env({"LDN_PROFILE": "production"}).require_jwt is True
    assert CdsSettings.from_env({}).require_jwt is False
    assert (
        CdsSettings.from_env({"LDN_PROFILE": "production", "LDN_CDS_REQUIRE_JWT": "0"}).require_jwt
        is False
    )
    assert CdsSettings.from_env({"LDN_CDS_REQUIRE_JWT": "1"}).require_jwt is True


def test_order_date_not_service_clock_drives_dates():
    body = load_scenario("tramadol_stopped_5_days")["request"]
    from ldn_core.cds import check_order

    later = check_order(body, dt.date(2027, 6, 1))
    assert "2026-12-06" in later["cards"][0]["summary"]


def test_only_missing_prefetch_keys_are_fetched(service):
    scenario = load_scenario("clean_patient")
    ehr = FakeEhr(dict(scenario["request"]["prefetch"]))
    try:
        body = scenario["request"]
        for key in ("medications", "observations"):
            body["prefetch"].pop(key)
        body["fhirServer"] = f"{ehr.served.url}/fhir"
        status, result = call(f"{service.url}/cds-services/ldn-order-check", body)
    finally:
        ehr.served.close()
    assert status == 200 and result["cards"][0]["indicator"] == "info"
    assert sorted(p.split("?")[0] for p in ehr.paths) == [
        "/fhir/MedicationRequest",
        "/fhir/Observation",
    ]
    assert ehr.seen_tokens == [None, None]  # no fhirAuthorization given: no token sent


def test_sign_service_refuses_order_select(service):
    body = load_scenario("clean_patient")["request"]
    status, result = call(f"{service.url}/cds-services/ldn-order-check-sign", body)
    assert status == 400 and "order-sign" in result["error"]


def test_dev_profile_does_not_check_tokens(service):
    body = load_scenario("clean_patient")["request"]
    status, _ = call(f"{service.url}/cds-services/ldn-order-check", body, "sandbox.token.x")
    assert status == 200


def test_paged_search_results_are_followed(service):
    scenario = load_scenario("current_oxycodone")
    prefetch = dict(scenario["request"]["prefetch"])
    oxycodone = prefetch["medications"]
    ehr = FakeEhr({**prefetch, "medications": {**oxycodone, "entry": []}})
    try:
        ehr.prefetch["medications"]["link"] = [
            {"relation": "next", "url": f"{ehr.served.url}/fhir/MedicationRequest?page=2"}
        ]
        ehr.pages["2"] = oxycodone  # the opioid is only on the second page
        body = scenario["request"]
        body.pop("prefetch")
        body["fhirServer"] = f"{ehr.served.url}/fhir"
        status, result = call(f"{service.url}/cds-services/ldn-order-check", body)
    finally:
        ehr.served.close()
    assert status == 200
    assert result["cards"][0]["indicator"] == "critical"
    assert "/fhir/MedicationRequest?page=2" in ehr.paths


@pytest.mark.parametrize("raw", ["not json", "[]", '{"iss": 1}'])
def test_bad_issuer_setting_is_refused_at_start(raw):
    with pytest.raises(ValueError, match="LDN_CDS_TRUSTED_ISSUERS"):
        CdsSettings.from_env({"LDN_CDS_TRUSTED_ISSUERS": raw})
