"""Every change this project makes to Rasa's own code, installed from here and only here.

Two replacements of Rasa internals, both for the cost of custom-action calls:

- ``EndpointConfig.session``: one kept-alive HTTP client session per endpoint instead of a
  new one per request (``http_session_reuse``).
- ``RemoteAction._validate_action_result``: the response schema checked once, its validator
  reused (``action_validation``).

They replace private methods of one Rasa release, so ``install()`` checks the version first:
another 3.6 patch release only warns (re-run tests/production/test_rasa_plugins.py), another
minor or major version refuses to start, since the replaced methods may have changed shape.
The tracker store module calls ``install()``: Rasa imports it at start (endpoints*.yml).
"""

from __future__ import annotations

import logging
import warnings

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from rasa_plugins import action_validation, http_session_reuse

log = logging.getLogger(__name__)

WRITTEN_FOR = "3.6.21"
# (class, attribute, replacement): what install() changes.
PATCHES = (
    (EndpointConfig, "session", http_session_reuse.shared_session),
    (RemoteAction, "_validate_action_result", action_validation.validate_action_result),
)


class UnsupportedRasaVersion(RuntimeError):
    pass


def check_version(version: str) -> None:
    if version == WRITTEN_FOR:
        return
    if version.split(".")[:2] != WRITTEN_FOR.split(".")[:2]:
        raise UnsupportedRasaVersion(
            f"rasa_plugins.patches replaces private Rasa {WRITTEN_FOR} methods "
            f"({', '.join(f'{cls.__name__}.{name}' for cls, name, _ in PATCHES)}); Rasa "
            f"{version} is installed. Check those methods, then update WRITTEN_FOR."
        )
    message = (
        f"Rasa {version} is installed; rasa_plugins.patches was written for {WRITTEN_FOR}. "
        "Run tests/production/test_rasa_plugins.py to confirm the patches still fit."
    )
    warnings.warn(message, stacklevel=2)
    log.warning(message)


def install(version: str | None = None) -> None:
    """Apply every patch (again harmlessly: each assignment is idempotent)."""
    check_version(version or rasa.__version__)
    for cls, name, replacement in PATCHES:
        if not hasattr(cls, name):
            raise UnsupportedRasaVersion(f"Rasa no longer has {cls.__name__}.{name}")
        setattr(cls, name, replacement)
