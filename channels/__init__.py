"""Rasa input channels (loaded by the Rasa server, Python 3.10). Of the core they import only
the plain-Python ``ldn_core.feedback``; answers arrive already rendered from the action server.
Their own checks: tests/channels (run in the Rasa venv)."""
