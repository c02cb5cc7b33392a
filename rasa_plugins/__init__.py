"""Rasa-side extensions for the production profile (run in the Rasa venv, Python 3.10).

Referenced by module path from endpoints.production.yml. Like channels/, this package imports
Rasa; the domain core (ldn_core/) never does.
"""
