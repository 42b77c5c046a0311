"""Who an incompatible schema change hurts, in which direction, and the deploy order that is safe.

BACKWARD holds when the new schema reads data written with the earlier one: upgrade consumers
first, then the producer. FORWARD holds when the earlier schema reads data written with the new
one: upgrade the producer first, then consumers. The impact names, for one event, every service
that consumes it and every read model built from it (from the design model), what fails for each
in each failing direction, and which order, if any, keeps every reader working.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from .history import ModeVerdict, check_history
from .modes import BACKWARD, FORWARD


@dataclass(frozen=True)
class Reader:
    """A service that reads the event, and the read model it builds from it (if any)."""

    service: str
    read_model: Optional[str] = None


@dataclass(frozen=True)
class Impact:
    """One event's incompatible change seen from its readers."""

    subject: str
    mode: str
    backward: bool  # the new schema reads data written with the previous one
    forward: bool  # the previous schema reads data written with the new one
    producer: Optional[str]
    readers: tuple[Reader, ...]

    @property
    def failing(self) -> list[str]:
        """The directions that fail: BACKWARD, FORWARD or both."""
        return [d for d, ok in ((BACKWARD, self.backward), (FORWARD, self.forward)) if not ok]

    @property
    def deploy_order(self) -> str:
        if self.backward and self.forward:
            return "any order: both directions hold against the previous version"
        if self.backward:
            return (
                "consumers first, then the producer (BACKWARD holds: upgraded consumers read "
                "old and new data; consumers still on the old schema cannot read new data)"
            )
        if self.forward:
            return (
                "the producer first, then consumers (FORWARD holds: consumers on the old schema "
                "read new data; upgraded consumers cannot read events written before, so they "
                "must not replay history)"
            )
        return (
            "none: neither direction holds, so every order breaks some reader; publish a new "
            "event type (or a version on its own topic), dual-publish, and move consumers over"
        )

    def effects(self, reader: Reader) -> list[tuple[str, str]]:
        """(direction, what fails for this reader) for each failing direction."""
        built = (
            f", so read model {reader.read_model} cannot be rebuilt" if reader.read_model else ""
        )
        producer = self.producer or "the producer"
        found = []
        if not self.backward:
            found.append(
                (
                    BACKWARD,
                    f"once upgraded, {reader.service} cannot read {self.subject} events written "
                    f"before the change (retained data, replays){built}",
                )
            )
        if not self.forward:
            found.append(
                (
                    FORWARD,
                    f"until it upgrades, {reader.service} cannot read the {self.subject} events "
                    f"{producer} writes with the new schema",
                )
            )
        return found

    def summary(self) -> str:
        """One line: who is hurt, in which direction."""
        if self.readers:
            parts = []
            for reader in self.readers:
                name = reader.service + (
                    f" (read model {reader.read_model})" if reader.read_model else ""
                )
                parts.append(f"{name}: " + "; ".join(f"{d} fails" for d, _ in self.effects(reader)))
            hurt = "hurts " + ", ".join(parts)
        else:
            hurt = f"{' and '.join(self.failing)} fails; no consumer of it is named"
        return f"{self.subject}: {hurt}"

    def as_data(self) -> dict:
        return {
            "failing_directions": self.failing,
            "backward": self.backward,
            "forward": self.forward,
            "producer": self.producer,
            "deploy_order": self.deploy_order,
            "readers": [
                {
                    "service": reader.service,
                    "read_model": reader.read_model,
                    "fails": [{"direction": d, "what": text} for d, text in self.effects(reader)],
                }
                for reader in self.readers
            ],
        }


def direction_holds(verdict: ModeVerdict, direction: str) -> bool:
    """Whether `direction` holds for the newest version: from the verdict's own checks when the
    mode compared that direction, else against the previous version."""
    checks = [c for c in verdict.checks if c.comparison.direction == direction]
    if not checks:
        if len(verdict.versions) < 2:
            return True
        checks = check_history(
            verdict.versions[-2:], direction, severities=verdict.severities
        ).checks
    return not any(check.errors for check in checks)


def readers_of(model: Any, event_name: str) -> tuple[Reader, ...]:
    """Every consuming service of an event, and every read model built from it, in model order."""
    readers: list[Reader] = []
    event = model.events.get(event_name)
    for consumer in event.consumers if event is not None else ():
        readers.append(Reader(consumer.service, consumer.read_model))
    for name, read_model in model.read_models.items():
        if event_name in read_model.sources and Reader(read_model.owner, name) not in readers:
            readers.append(Reader(read_model.owner, name))
    return tuple(readers)


def impact_of(
    verdict: ModeVerdict,
    subject: str,
    producer: Optional[str] = None,
    readers: tuple[Reader, ...] = (),
) -> Impact:
    """The impact of an incompatible verdict on the event's readers."""
    return Impact(
        subject,
        verdict.mode,
        direction_holds(verdict, BACKWARD),
        direction_holds(verdict, FORWARD),
        producer,
        readers,
    )
