"""What a deployment sets for the case's rules (COORDINATION_CONSENT_AGE, …), supplied
by the application to the commands that need it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    # Below this age a person's consent is given by a parent or guardian (ADR 0039).
    consent_age: int = 16
    # How long an emergency access lasts unless ended before (ADR 0040).
    emergency_hours: int = 24


DEFAULT_POLICY = Policy()
