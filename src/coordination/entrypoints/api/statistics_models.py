"""Response bodies of GET /v1/statistics (apart from responses.py: one read model each)."""

from pydantic import BaseModel, ConfigDict, Field


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
    milestones_overdue: CountCell = Field(
        description="Milestones past their due date and not met at the month's end, in cases"
        " not closed by then: `events` counts the milestones, `people` the cases."
    )


class StatisticsOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    municipality: str
    from_: str = Field(alias="from")
    to: str
    min_people: int = Field(description="cells with fewer people are suppressed")
    months: list[MonthStatistics]
