"""Live: start the service as `make run` does (python -m cds_service) on a free port, then
call it over HTTP like an EHR: discovery, an order-select hook, an order-sign hook,
feedback. Also checks the log holds no patient data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.cds.conftest import free_port, load_scenario

ROOT = Path(__file__).resolve().parents[2]


def post(url: str, body: dict) -> tuple[int, dict]:
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, json.loads(resp.read())


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    port = free_port()
    data_dir = tmp_path_factory.mktemp("cds-live")
    env = {
        **os.environ,
        "LDN_CDS_PORT": str(port),
        "LDN_DATA_DIR": str(data_dir),
        "LDN_PROFILE": "dev",
        "LDN_CDS_REQUIRE_JWT": "0",
    }
    log = open(data_dir / "cds.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "cds_service"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/health", timeout=1)
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail((data_dir / "cds.log").read_text())
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("CDS service did not start in 60 s")
    yield url, data_dir
    process.terminate()
    process.wait(10)
    log.close()


def test_live_hooks_and_feedback(live, response_validator):
    url, data_dir = live
    with urllib.request.urlopen(f"{url}/cds-services", timeout=10) as resp:
        assert {s["id"] for s in json.loads(resp.read())["services"]} == {
            "ldn-order-check",
            "ldn-order-check-sign",
        }
    status, opioid = post(
        f"{url}/cds-services/ldn-order-check", load_scenario("current_oxycodone")["request"]
    )
    assert status == 200
    response_validator.validate(opioid)
    assert opioid["cards"][0]["indicator"] == "critical"
    status, signed = post(
        f"{url}/cds-services/ldn-order-check-sign", load_scenario("order_sign_clean")["request"]
    )
    assert status == 200 and signed["cards"][0]["indicator"] == "info"
    card = opioid["cards"][0]["uuid"]
    status, stored = post(
        f"{url}/cds-services/ldn-order-check/feedback",
        {
            "feedback": [
                {
                    "card": card,
                    "outcome": "overridden",
                    "overrideReason": {"reason": opioid["cards"][0]["overrideReasons"][0]},
                }
            ]
        },
    )
    assert (status, stored) == (200, {"stored": 1})
    assert (data_dir / "cds_feedback.db").exists()
    log = (data_dir / "cds.log").read_text()
    assert "order-select: 1 card(s) critical" in log
    assert "oxycodone" not in log and "pt-1" not in log
