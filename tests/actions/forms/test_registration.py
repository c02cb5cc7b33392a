"""Every custom action of the domain is registered from the actions package."""

from __future__ import annotations

import pytest

from tests.actions.forms.helpers import DOMAIN

pytestmark = [pytest.mark.slow, pytest.mark.anyio]


def test_the_action_server_registers_every_custom_action_of_the_domain():
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")  # what `rasa_sdk --actions actions` does
    custom = [a for a in DOMAIN["actions"] if not a.startswith("utter_")]
    assert sorted(set(custom) - set(executor.actions)) == []
    assert "action_ask_" not in executor.actions  # the abstract bases are not actions
