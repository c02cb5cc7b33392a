"""One renderer per output form; every channel renders the same Answer."""

from ldn_core.render.payload import to_payload
from ldn_core.render.slack import notification_text, to_slack_blocks
from ldn_core.render.text import format_reference, to_text

__all__ = ["format_reference", "notification_text", "to_payload", "to_slack_blocks", "to_text"]
