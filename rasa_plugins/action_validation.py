"""Validate action-server responses with a validator built once, not once per response.

Rasa 3.6 checks every custom-action response with ``jsonschema.validate(result, schema)``,
which first re-validates the schema itself against the JSON Schema meta-schema. Profiled under
load (py-spy on a replica answering cited questions), that was 27% of the replica's CPU. This
keeps Rasa's check and its error message, with the schema checked once and its validator
reused. Installed by ``rasa_plugins.patches``.
"""

from __future__ import annotations

from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_validator = None


def _response_validator():
    global _validator
    if _validator is None:
        schema = RemoteAction.action_response_format_spec()
        validator_class = validator_for(schema)
        validator_class.check_schema(schema)
        _validator = validator_class(schema)
    return _validator


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        _response_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise
