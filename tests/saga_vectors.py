"""Finding the parts of a saga vector (tests/data/saga) a test plants a defect into."""

from __future__ import annotations

# A compensatable step (print a label, undone by cancelling the carrier) that
# orchestrated-ok.yaml's tests insert after its pivot.
LATE_COMPENSATABLE_STEP = {
    "name": "print-label",
    "participant": "shipping",
    "command": "BookCarrier",
    "reply": "CarrierBooked",
    "timeout": "5s",
    "compensation": {"command": "CancelCarrier", "retry": {"max_attempts": "unlimited"}},
}


def saga(data: dict) -> dict:
    """The model's only saga."""
    return next(iter(data["sagas"].values()))


def step(data: dict, name: str) -> dict:
    """The orchestrated step called `name`, in a parallel group or not."""
    for item in saga(data)["steps"]:
        for candidate in item.get("parallel", [item]):
            if candidate.get("name") == name:
                return candidate
    raise KeyError(name)


def reaction(data: dict, service: str, on: str) -> dict:
    """The choreography reaction of `service` to the event `on`."""
    return next(r for r in saga(data)["reactions"] if r["service"] == service and r["on"] == on)
