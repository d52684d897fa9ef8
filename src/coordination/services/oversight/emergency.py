"""Emergency accesses to a case, as the consent trail and the disclosure report show
them: who opened one, why, until when, and how many reads it carried."""

from collections import Counter
from collections.abc import Iterable

from consent.basis import Basis, Ground
from coordination.adapters.store.access_log import AccessEntry
from coordination.domain.disclosure import EmergencyUse
from coordination.domain.trail import ConsentTrail


def emergency_uses(trail: ConsentTrail, entries: Iterable[AccessEntry]) -> list[EmergencyUse]:
    """Every emergency access, with the reads logged under it."""
    reads: Counter[str] = Counter()
    for e in entries:
        if e.action == "read" and "role" not in e.basis:
            for ref in {Basis.parse(str(b)) for b in e.basis.values()}:
                if ref.ground is Ground.EMERGENCY:
                    reads[ref.ref] += 1
    return [
        EmergencyUse(s.access_id, s.opened.agency, s.opened.at, s.closes_at,
                     s.ended is not None and s.ended.at < s.until, s.justification,
                     reads[s.access_id])
        for s in trail.emergencies.values()
    ]  # fmt: skip
