"""On what one agency reads each category of a case: pure, over the case, the grounds
and the moment of reading (ADR 0041).

A statutory rule from the recorder's kind to the reader's is named before a consent:
where the law provides the basis, consent is not it. An open emergency access of the
reader's agency opens only what neither opens.
"""

from collections.abc import Callable
from datetime import datetime
from functools import cache

from consent import Category, Purpose
from consent.basis import Basis
from coordination.domain.case import Case
from coordination.domain.grounds import Grounds


def reader_bases(
    case: Case, agency_id: str, kind: str, grounds: Grounds, at: datetime,
    purpose: Purpose | None = None,
) -> Callable[[str], dict[Category, str]]:  # fmt: skip
    """For data an agency recorded: each category the reader may read, with its basis
    as the access log names it (`consent.basis`). A reader who names a purpose reads only
    under the rules and consents for that purpose."""
    emergency = next(
        (e for e in case.emergencies.values() if e.agency == agency_id and e.active(at)), None
    )
    opened_all = (
        {} if emergency is None
        else dict.fromkeys(Category, str(Basis.emergency(emergency.access_id)))
    )  # fmt: skip

    @cache
    def bases(recorded_by: str) -> dict[Category, str]:
        by_law = grounds.statute.readable(grounds.kind_of(recorded_by), kind, at, purpose)
        by_consent = case.ledger.readable_categories(agency_id, at, recorded_by, purpose)
        statutory = {c: str(Basis.statute(r.rule_id)) for c, r in by_law.items()}
        return opened_all | by_consent | statutory

    return bases
