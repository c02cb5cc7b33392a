"""Rasa input channels (loaded by the Rasa server, Python 3.10: no ldn_core imports here)."""
