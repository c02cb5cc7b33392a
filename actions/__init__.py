"""Rasa custom actions: thin adapters between Rasa trackers and the ``ldn_core`` domain core."""
