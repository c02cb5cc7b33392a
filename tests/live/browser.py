"""Debian's headless Chromium driven by Playwright, for the web chat tests (live and production).

Chromium comes from scripts/ensure_chromium.sh (apt); Playwright never downloads a browser.
The citation sites are stood in for (no network here), so that a citation link can be followed.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("LDN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CITATION_URL = re.compile(r"^https://(doi\.org/10\.|pubmed\.ncbi\.nlm\.nih\.gov/\d+/?)")
TIMEOUT_MS = 60_000


@contextmanager
def chromium_page(profile_dir: Path) -> Iterator[tuple[object, list[str]]]:
    """A page in a fresh Chromium profile, and the list its JavaScript errors are added to."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:  # pragma: no cover - environment problem, reported
        pytest.skip(f"playwright is not installed in this environment ({err})")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"chromium not found at {CHROMIUM}; run scripts/ensure_chromium.sh")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile_dir),  # a fresh --user-data-dir
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1100, "height": 1300},
            locale="en-GB",
        )

        # No network here: stand in for the citation sites so the link can be followed.
        def citation_site(route):
            route.fulfill(
                status=200,
                content_type="text/html",
                body=f"<title>citation</title><p>{route.request.url}</p>",
            )

        context.route(
            re.compile(r"^https://(doi\.org|pubmed\.ncbi\.nlm\.nih\.gov)/.*"), citation_site
        )
        errors: list[str] = []
        page = context.pages[0] if context.pages else context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.set_default_timeout(TIMEOUT_MS)
        yield page, errors
        context.close()


def wait_connected(page) -> None:
    page.wait_for_selector('#connection[data-state="connected"]')


def ask(page, question: str, bot_messages_before: int) -> None:
    box = page.get_by_label("Your question")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#log .msg-bot').length > n", arg=bot_messages_before
    )
