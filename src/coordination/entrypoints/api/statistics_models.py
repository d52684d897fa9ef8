"""Response bodies of GET /v1/statistics (apart from responses.py: one read model each)."""

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from projections.statistics.query import BREAKDOWNS


def _shown(people: int, events: int) -> JsonDict:
    return {"people": people, "events": events, "suppressed": False}


HIDDEN: JsonDict = {"people": None, "events": None, "suppressed": True}


def _parts(measure: str, **shown: JsonDict) -> JsonDict:
    """A measure's breakdown: the parts named shown, every other one suppressed."""
    return {detail: shown.get(detail, HIDDEN) for detail in BREAKDOWNS[measure]}


# A month of Leipzig. A lone small part of a shown total takes the smallest shown part
# with it (milestones met: `late` small, so `on_time` is suppressed too).
MONTH: JsonDict = {
    "month": "2026-09",
    "cases_opened": _shown(23, 23), "consents_granted": _shown(19, 31),
    "consents_withdrawn": HIDDEN, "referrals_sent": _shown(17, 26),
    "referrals_sent_by_purpose": _parts(
        "referrals_sent", counselling=_shown(6, 7), language_course=_shown(11, 12),
        job_placement=_shown(5, 5),
    ),
    "referrals_accepted": _shown(14, 20),
    "median_days_to_acceptance": {"value": 6.0, "suppressed": False},
    "referrals_declined": HIDDEN, "referrals_completed": _shown(9, 11),
    "courses_assigned": _shown(10, 10), "courses_completed": _shown(7, 7),
    "courses_completed_by_result": _parts("courses_completed", B1=_shown(5, 5)),
    "agreements_concluded": _shown(8, 8), "milestones_met": _shown(12, 15),
    "milestones_met_by_timeliness": _parts("milestones_met"),
    "obligations_met": _shown(12, 15),
    "obligations_met_by_side": _parts("obligations_met", person=_shown(8, 9),
                                      agency=_shown(6, 6)),
    "milestones_overdue": _shown(6, 8),
}  # fmt: skip
STATISTICS: JsonDict = {
    "municipality": "leipzig", "from": "2026-09", "to": "2026-09", "min_people": 5,
    "months": [MONTH],
}  # fmt: skip


class CountCell(BaseModel):
    """People (distinct cases) and events; both null when fewer than 5 people are in it."""

    people: int | None
    events: int | None
    suppressed: bool


class MedianCell(BaseModel):
    """Median days from a referral sent to its acceptance; null with its accepted cell."""

    value: float | None
    suppressed: bool


class MonthStatistics(BaseModel):
    month: str = Field(examples=["2026-09"])
    cases_opened: CountCell
    consents_granted: CountCell
    consents_withdrawn: CountCell
    referrals_sent: CountCell
    referrals_sent_by_purpose: dict[str, CountCell]
    referrals_accepted: CountCell
    median_days_to_acceptance: MedianCell
    referrals_declined: CountCell
    referrals_completed: CountCell
    courses_assigned: CountCell
    courses_completed: CountCell
    courses_completed_by_result: dict[str, CountCell]
    agreements_concluded: CountCell
    milestones_met: CountCell
    milestones_met_by_timeliness: dict[str, CountCell]
    obligations_met: CountCell = Field(
        description="The milestones met, again: the total of their breakdown by side."
    )
    obligations_met_by_side: dict[str, CountCell] = Field(
        description="Milestones met that were the person's obligations (`person`) and"
        " those that were an agency's (`agency`)."
    )
    milestones_overdue: CountCell = Field(
        description="Milestones past their due date and not met at the month's end, in cases"
        " not closed by then: `events` counts the milestones, `people` the cases."
    )


class StatisticsOut(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
        json_schema_extra={"examples": [STATISTICS]},
    )

    municipality: str
    from_: str = Field(alias="from")
    to: str
    min_people: int = Field(description="cells with fewer people are suppressed")
    months: list[MonthStatistics]
