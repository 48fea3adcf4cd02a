"""The facilitator's agenda for the 20-minute review: steps, their clocks, (de)serialisation, validation."""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from .json_input import load_json

MAX_STEP_MINUTES = 120
MAX_STEPS = 20
#: the share of a step after which the facilitator is nudged to wrap up, and the most warning time
WRAP_UP_SHARE = 0.2
WRAP_UP_MAX_SECONDS = 60.0
_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


class AgendaError(ValueError):
    """An agenda that cannot be used (no steps, a step without a title, a nonsense duration)."""


@dataclass(frozen=True)
class AgendaStep:
    #: stable id: notes are stored against it, so renaming or reordering keeps them
    key: str
    title: str
    minutes: int
    #: the registered screen the step brings forward, and what that screen should focus
    screen: str
    payload: str = ""
    #: one line shown to the room under the title: what to talk about
    prompt: str = ""


@dataclass(frozen=True)
class Agenda:
    steps: tuple[AgendaStep, ...]

    @property
    def total_minutes(self) -> int:
        return sum(step.minutes for step in self.steps)

    def index_of(self, key: str) -> int:
        for index, step in enumerate(self.steps):
            if step.key == key:
                return index
        return -1


DEFAULT_AGENDA = Agenda((
    AgendaStep("headline", "Headline and timeline", 4, "timeline", "",
               "Logs against customers: how long each side of the outage lasted."),
    AgendaStep("board", "The customer record on the board", 4, "board", "",
               "Which harm showed up most, in the customers' own words."),
    AgendaStep("questions", "The five questions", 6, "review", "task",
               "Answer each question with the quotes that show it."),
    AgendaStep("fixes", "Fixes and owners", 3, "actions", "",
               "One fix each for support, product and engineering, with an owner and a date."),
    AgendaStep("closeout", "Close-out", 3, "review", "customer_damage",
               "Write the customer damage down and see what is still missing."),
))


def validate(agenda: Agenda) -> None:
    """Raises AgendaError naming the first problem; a valid agenda passes silently."""
    if not agenda.steps:
        raise AgendaError("The agenda needs at least one step.")
    if len(agenda.steps) > MAX_STEPS:
        raise AgendaError(f"An agenda has at most {MAX_STEPS} steps.")
    seen: set[str] = set()
    for number, step in enumerate(agenda.steps, start=1):
        if not step.title.strip():
            raise AgendaError(f"Step {number} has no title.")
        if not 1 <= step.minutes <= MAX_STEP_MINUTES:
            raise AgendaError(f"Step {number} (“{step.title}”) must last 1 to {MAX_STEP_MINUTES} minutes.")
        if not step.screen.strip():
            raise AgendaError(f"Step {number} (“{step.title}”) does not say which screen to show.")
        if not _KEY_PATTERN.match(step.key):
            raise AgendaError(f"Step {number} has an unusable key “{step.key}”.")
        if step.key in seen:
            raise AgendaError(f"Two steps share the key “{step.key}”.")
        seen.add(step.key)


def new_step_key(agenda: Agenda, title: str) -> str:
    """A key for a step being added, derived from its title and unique within the agenda."""
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:30] or "step"
    taken = {step.key for step in agenda.steps}
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    return key


def to_json(agenda: Agenda) -> str:
    validate(agenda)
    steps = [{"key": s.key, "title": s.title, "minutes": s.minutes, "screen": s.screen,
              "payload": s.payload, "prompt": s.prompt} for s in agenda.steps]
    return json.dumps({"version": 1, "steps": steps}, ensure_ascii=False)


def from_json(text: str) -> Agenda:
    """Parses a saved agenda; raises AgendaError when it is damaged or invalid."""
    try:
        data = load_json(text)
        steps = tuple(AgendaStep(key=str(item["key"]), title=str(item["title"]), minutes=int(item["minutes"]),
                                 screen=str(item["screen"]), payload=str(item.get("payload") or ""),
                                 prompt=str(item.get("prompt") or ""))
                      for item in data["steps"])
    except (ValueError, KeyError, TypeError) as exc:
        raise AgendaError(f"The saved agenda cannot be read ({exc}).") from exc
    agenda = Agenda(steps)
    validate(agenda)
    return agenda


def with_step(agenda: Agenda, index: int, step: AgendaStep) -> Agenda:
    steps = list(agenda.steps)
    steps[index] = step
    return Agenda(tuple(steps))


def moved(agenda: Agenda, index: int, offset: int) -> Agenda:
    """The agenda with one step moved up (offset -1) or down (+1); unchanged at either end."""
    target = index + offset
    if not (0 <= index < len(agenda.steps) and 0 <= target < len(agenda.steps)):
        return agenda
    steps = list(agenda.steps)
    steps[index], steps[target] = steps[target], steps[index]
    return Agenda(tuple(steps))


# ---- clocks -------------------------------------------------------------------------------------------
ON_TIME, WRAP_UP, OVER = "on_time", "wrap_up", "over"


@dataclass(frozen=True)
class Clock:
    phase: str  # ON_TIME, WRAP_UP or OVER
    text: str  # says the phase in words too: colour is never the only signal


def format_seconds(seconds: float) -> str:
    # a countdown rounds up (0:00 only once time is out); an overrun rounds down
    whole = math.ceil(seconds) if seconds > 0 else math.floor(-seconds)
    minutes, secs = divmod(whole, 60)
    return f"{minutes}:{secs:02d}"


def clock(elapsed_seconds: float, minutes: float) -> Clock:
    """The state of a countdown of `minutes` after `elapsed_seconds`, phrased for the room."""
    budget = minutes * 60.0
    left = budget - elapsed_seconds
    if left <= 0:
        return Clock(OVER, f"over by {format_seconds(-left)}")
    warning = min(WRAP_UP_MAX_SECONDS, budget * WRAP_UP_SHARE)
    if left <= warning:
        return Clock(WRAP_UP, f"{format_seconds(left)} left — time to wrap up")
    return Clock(ON_TIME, f"{format_seconds(left)} left")
