"""`make run` and `make run-production`: start the stack, print where it answers, supervise it
until Ctrl-C or SIGTERM, then stop it.

Usage: python scripts/cli.py run [--profile dev|production]

It sits above ``scripts.stack`` (the dev profile) and ``scripts.production`` (replicas behind
nginx), so neither has to import the other back.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time

from scripts.production import ProductionStack
from scripts.stack import Stack


def run(profile: str = "dev") -> int:
    if profile == "production":
        stack: Stack = ProductionStack()
    else:
        stack = Stack()
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    stack.start()
    cds = "off in this profile (make run-cds; docs/cds-hooks.md)"
    if profile == "dev":
        try:
            stack.start_cds()
        except BaseException:
            stack.stop()
            raise
        cds = f"{stack.cds_url}/cds-services (CDS Hooks discovery)"
    slack = (
        f"POST {stack.rasa_url}/webhooks/slack/webhook (Events API request URL)"
        if stack.slack_enabled
        else "off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to enable)"
    )
    print(
        f"""
LDN assistant is running (started in {time.monotonic() - started:.0f} s).
  REST:        POST {stack.rasa_url}/webhooks/rest/webhook  {{"sender": "me", "message": "..."}}
  Web chat:    {stack.rasa_url}/webhooks/webchat/
  socket.io:   {stack.rasa_url}/socket.io
  Slack:       {slack}
  Rasa API:    {stack.rasa_url}/status
  Actions:     {stack.action_url}/health
  CDS Hooks:   {cds}
  Logs:        {stack.log_dir}/{stack.extra_notes()}
Press Ctrl-C to stop.""",
        flush=True,
    )
    while not stopping:
        for name, process in list(stack.processes.items()):
            if process.poll() is None:
                continue
            if stack.can_restart(name):
                print(f"{name} exited (code {process.returncode}); restarting it", flush=True)
                stack.restart(name)
            else:
                print(
                    f"{name} exited unexpectedly (code {process.returncode}); stopping", flush=True
                )
                stopping = True
        time.sleep(0.5)
    stack.stop()
    print("stopped.", flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["run"])
    parser.add_argument(
        "--profile",
        choices=["dev", "production"],
        default=os.environ.get("LDN_PROFILE", "dev"),
        help="dev: one process each, SQLite (default); production: replicas behind nginx on "
        "PostgreSQL, Redis and RabbitMQ (docs/deployment.md)",
    )
    args = parser.parse_args()
    try:
        return run(args.profile)
    except (RuntimeError, TimeoutError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
