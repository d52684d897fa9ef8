"""What is wrong with an import's input, line by line, and the refusal that carries it."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_REPORTED = 100  # problems listed in a refusal; the count covers all of them

# The contract's codes, most basic first: a refusal carries the most basic one found,
# since a line that is not JSON says nothing reliable about its rules.
ORDER = ("bad-request", "validation-error", "invalid-event", "consent-required")
STATUS = {"bad-request": 400}


@dataclass(frozen=True)
class LineProblem:
    """One thing wrong with one line: `event` counts from 0 within the line's events."""

    line: int
    code: str
    detail: str
    loc: tuple[str | int, ...] = ()
    event: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line, "code": self.code, "detail": self.detail}
        if self.loc:
            out["loc"] = list(self.loc)
        if self.event is not None:
            out["event"] = self.event
        return out | self.extra

    def describe(self) -> str:
        where = ".".join(str(part) for part in self.loc)
        return (
            f"line {self.line}: {self.code}"
            + (f" at {where}" if where else "")
            + f": {self.detail}"
        )


class ImportRefused(Exception):
    """The input has problems: nothing was imported. `problems` are the first
    MAX_REPORTED found; `count` and the code cover all of them."""

    def __init__(
        self, problems: Sequence[LineProblem], count: int | None = None,
        codes: Iterable[str] = (),
    ) -> None:  # fmt: skip
        self.problems = sorted(problems[:MAX_REPORTED], key=lambda p: (p.line, p.event or 0))
        self.count = len(problems) if count is None else count
        self.code = min({*codes, *(p.code for p in problems)}, key=ORDER.index)
        if self.code == "consent-required":
            # The refusal is about the input, not the importer's right to disclose.
            self.code = "invalid-event"
        self.status = STATUS.get(self.code, 422)
        first = self.problems[0]
        super().__init__(
            f"{self.count} problem(s), the first on line {first.line}: "
            f"{first.detail}; nothing was imported"
        )


class Findings:
    """What a pass found wrong: every problem counted, the first MAX_REPORTED kept, so
    a wholly wrong file of a million lines does not fill the memory with reports."""

    def __init__(self) -> None:
        self.kept: list[LineProblem] = []
        self.count = 0
        self.codes: set[str] = set()

    def add(self, problems: Sequence[LineProblem]) -> None:
        self.count += len(problems)
        self.codes.update(p.code for p in problems)
        self.kept += problems[: MAX_REPORTED - len(self.kept)]

    def merge(self, other: "Findings") -> None:
        """Another share's findings: the first reported of both kept, all counted."""
        self.count += other.count
        self.codes |= other.codes
        both = sorted([*self.kept, *other.kept], key=lambda p: (p.line, p.event or 0))
        self.kept = both[:MAX_REPORTED]

    def refuse(self) -> None:
        """ImportRefused if anything was found."""
        if self.count:
            raise ImportRefused(self.kept, self.count, self.codes)


class ImportStopped(Exception):
    """Writing stopped half way: the batches committed before stay, the one in flight
    does not. The message says why and what to do before running the input again."""


class LineRefused(Exception):
    """One line of the input cannot be imported; `problems` says why."""

    def __init__(self, problems: Sequence[LineProblem]) -> None:
        self.problems = list(problems)
        super().__init__(self.problems[0].detail)
