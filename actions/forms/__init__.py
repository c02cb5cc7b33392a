"""Rasa forms for the screening and the titration schedule: thin adapters over ``ldn_core``.

``screening_form`` asks only for what the screening core still misses: its required slots
are derived, turn by turn, from ``ScreeningResult.missing`` for the facts gathered so far
(slot ``patient_facts``), and its questions are the core's ``ScreeningResult.questions``.
Each answer is parsed by the core's extraction (``extract_facts``) and merged into
``patient_facts``; the form slots only record that a group of facts has been answered.

``schedule_form`` collects a start date and a variant (standard / low start) and hands them
to the dosing core.

Both forms are pre-filled from the message that triggers them, reject invalid or ambiguous
answers with a specific re-prompt, explain what they need after two failures on the same
slot (and offer to stop), and reject their own execution (``ActionExecutionRejection``) on
"cancel" or an unrelated question, so that the rules in ``data/rules/forms.yml`` can take
over: cancel deactivates the form; a question is answered and the form asks again.

No clinical wording lives here: questions come from the core's rule data, verdicts and
schedules from the core's composers. The texts below only say what kind of answer is needed.

Modules: ``slots`` (form and slot names, how core keys map to slots), ``answer_shapes``
(patterns that tell answers, refusals and questions apart, and the re-prompt texts), ``base``
(the shared form validation flow), ``screening_form``, ``ask_screening`` (the screening
questions), ``schedule_form`` and ``cancel``.
"""
