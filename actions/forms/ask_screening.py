"""The screening form's questions (``action_ask_<slot>``), with any provisional verdict."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import clock
from actions.adapter import say, send
from actions.forms.slots import DEFAULT_QUESTION, SCREENING_FORM, facts_of, questions_for
from ldn_core.assistant import shared_assistant
from ldn_core.rules import Verdict, screen
from ldn_core.rules.screening import screening_rules

PROVISIONAL = frozenset({Verdict.WAIT_UNTIL, Verdict.NEEDS_SPECIALIST_REVIEW})


class AskScreeningSlot(Action, ABC):
    """Asks the core's question(s) for one screening slot (``action_ask_<slot>``).

    While the verdict is still "insufficient information" only the slot's question(s) are
    asked. When the facts so far already give "wait" or "needs specialist review", that
    provisional verdict is shown with its reasons and citations, followed by the open
    questions (the core's screening answer lists them).
    """

    @property
    @abstractmethod
    def slot(self) -> str:
        """The form slot asked (a class attribute in each subclass)."""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        facts = facts_of(tracker)
        result = screen(facts, clock.today())
        form = {"name": SCREENING_FORM, "slot": self.slot, "missing": list(result.missing)}
        if result.verdict in PROVISIONAL:
            # The verdict so far (dates, reasons, citations), ending with the open questions.
            answer, _ = shared_assistant().screen_patient("", clock.today(), facts)
            send(
                dispatcher,
                replace(answer, structured={**answer.structured, "form": form}),
                tracker.get_latest_input_channel(),
            )
            return []
        questions = questions_for(self.slot, result)
        if not questions:
            key, values = DEFAULT_QUESTION[self.slot]
            questions = [screening_rules().question(key, **values)]
        say(dispatcher, " ".join(questions), form=form)
        return []


class ActionAskOpioidStatus(AskScreeningSlot):
    slot = "opioid_status"


class ActionAskLastOpioidDose(AskScreeningSlot):
    slot = "last_opioid_dose"


class ActionAskOtherNaltrexone(AskScreeningSlot):
    slot = "other_naltrexone"


class ActionAskLiverStatus(AskScreeningSlot):
    slot = "liver_status"


class ActionAskProcedurePlan(AskScreeningSlot):
    slot = "procedure_plan"
