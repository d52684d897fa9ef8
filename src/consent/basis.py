"""On what a disclosure or a read rests: a consent, a statutory rule, or emergency access.

The access log keeps a basis as one string, so entries written before there was more
than consent still read: a consent's id as it is (ids are slugs, they hold no colon),
the others with their ground in front ("statute:<rule id>", "emergency:<access id>").
"""

from dataclasses import dataclass
from enum import StrEnum


class Ground(StrEnum):
    CONSENT = "consent"
    STATUTE = "statute"
    EMERGENCY = "emergency"


@dataclass(frozen=True)
class Basis:
    ground: Ground
    ref: str  # the consent's id, the rule's id, the emergency access's id

    @classmethod
    def consent(cls, consent_id: str) -> "Basis":
        return cls(Ground.CONSENT, consent_id)

    @classmethod
    def statute(cls, rule_id: str) -> "Basis":
        return cls(Ground.STATUTE, rule_id)

    @classmethod
    def emergency(cls, access_id: str) -> "Basis":
        return cls(Ground.EMERGENCY, access_id)

    @classmethod
    def parse(cls, logged: str) -> "Basis":
        ground, sep, ref = logged.partition(":")
        if not sep:
            return cls(Ground.CONSENT, logged)
        return cls(Ground(ground), ref)

    def __str__(self) -> str:
        if self.ground is Ground.CONSENT:
            return self.ref
        return f"{self.ground}:{self.ref}"
