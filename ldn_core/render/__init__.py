"""One renderer per output form; every channel renders the same Answer."""

from ldn_core.render.payload import to_payload
from ldn_core.render.text import format_reference, to_text

__all__ = ["format_reference", "to_payload", "to_text"]
