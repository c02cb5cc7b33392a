"""Clinician feedback and curation: storage-agnostic logic (no Rasa, no database imports).

- ``model``: what a feedback submission is, its validation, and how an answer's passage and
  rule ids are taken from the stored bot event;
- ``events``: reading tracker-store events (declined questions, the answer a feedback is about);
- ``scrub``: masking patient details (ages, dates, names, record numbers) before display;
- ``report``: the weekly curator report (table, SVG chart, CSV).
"""
