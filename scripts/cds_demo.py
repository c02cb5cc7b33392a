"""Post a sample LDN order hook (a synthetic patient from tests/cds/fixtures/) to the CDS
Hooks service and print the cards.

    python scripts/cds_demo.py                         # current_oxycodone, service on :5010
    python scripts/cds_demo.py clean_patient --json    # the raw card JSON
    python scripts/cds_demo.py --list                  # the scenarios

When nothing answers at --url, the script starts the service itself on a free port for the
one call (so it works without `make run`).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "cds" / "fixtures"


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=1):
            return True
    except OSError:
        return False


def _start_service() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "LDN_CDS_PORT": str(port),
        "LDN_CDS_REQUIRE_JWT": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "cds_service"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if _up(url):
            return process, url
        time.sleep(0.2)
    process.kill()
    raise SystemExit("the CDS service did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", nargs="?", default="current_oxycodone")
    parser.add_argument("--url", default=os.environ.get("LDN_CDS_URL", "http://127.0.0.1:5010"))
    parser.add_argument("--json", action="store_true", help="print the response JSON")
    parser.add_argument("--list", action="store_true", help="list the sample scenarios")
    args = parser.parse_args()
    if args.list:
        for path in sorted(FIXTURES.glob("*.json")):
            print(f"{path.stem:28} {json.loads(path.read_text())['description']}")
        return 0
    scenario = json.loads((FIXTURES / f"{args.scenario}.json").read_text("utf-8"))
    process, url = (None, args.url) if _up(args.url) else _start_service()
    try:
        request = urllib.request.Request(
            f"{url}/cds-services/ldn-order-check",
            data=json.dumps(scenario["request"]).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as resp:
                body = json.loads(resp.read())
        except urllib.error.HTTPError as err:
            print(f"HTTP {err.code}: {err.read().decode()}")
            return 1
    finally:
        if process is not None:
            process.terminate()
            process.wait(10)
    if args.json:
        print(json.dumps(body, indent=2))
        return 0
    print(f"Scenario {args.scenario}: {scenario['description']}\n")
    for card in body["cards"]:
        print(f"[{card['indicator'].upper()}] {card['summary']}\n")
        print(card.get("detail", ""))
        for suggestion in card.get("suggestions", []):
            print(f"\n  Suggestion: {suggestion['label']}")
        print("-" * 72)
    if not body["cards"]:
        print("(no cards)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
