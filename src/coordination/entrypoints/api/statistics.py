"""GET /v1/statistics: evaluation figures for auditors, as JSON or CSV."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from coordination.domain.identity import Caller, Role
from coordination.entrypoints.api.deps import ServicesDep, require
from coordination.entrypoints.api.responses import PROJECTED, problem_responses
from coordination.entrypoints.api.statistics_models import MonthStatistics, StatisticsOut
from coordination.services.statistics import (
    CSV_COLUMNS,
    BadMonthRange,
    StatisticsReport,
    StatisticsRequest,
    statistics_csv,
)
from projections.statistics.query import BREAKDOWNS, BROKEN_DOWN_BY, MEASURES, MonthFigures
from projections.statistics.suppression import MIN_PEOPLE, Cell

router = APIRouter(prefix="/v1", tags=["read models"])
Auditor = Annotated[Caller, Depends(require(Role.AUDITOR))]
ERRORS = problem_responses(401, 403, 422, 503)
# The first rows of the month of StatisticsOut's example: one figure a row.
CSV_EXAMPLE = "\r\n".join((
    ",".join(CSV_COLUMNS),
    "leipzig,2026-09,cases_opened,,people,23,false",
    "leipzig,2026-09,cases_opened,,events,23,false",
    "leipzig,2026-09,consents_granted,,people,19,false",
    "leipzig,2026-09,consents_granted,,events,31,false",
    "leipzig,2026-09,consents_withdrawn,,people,,true",
    "leipzig,2026-09,consents_withdrawn,,events,,true",
    "",
))  # fmt: skip
OK = {
    200: {
        "content": {"text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE}},
        "description": "JSON by default; CSV with `Accept: text/csv` or `?format=csv`",
        "headers": PROJECTED,
    }
}
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
SLUG = r"^[a-z0-9][a-z0-9-]{1,62}$"


@router.get("/statistics", response_model=StatisticsOut, responses={**OK, **ERRORS})  # type: ignore[dict-item]
def get_statistics(
    caller: Auditor, svc: ServicesDep,
    municipality: Annotated[str | None, Query(pattern=SLUG, description="default: own")] = None,
    from_: Annotated[str | None, Query(alias="from", pattern=MONTH, examples=["2026-01"])] = None,
    to: Annotated[str | None, Query(pattern=MONTH, examples=["2026-12"])] = None,
    format_: Annotated[Literal["json", "csv"] | None, Query(alias="format")] = None,
    min_position: Annotated[int | None, Query(ge=0, description="wait for this position")] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Response:  # fmt: skip
    try:
        report = svc.statistics.read(
            caller, StatisticsRequest(municipality, from_, to, min_position)
        )
    except BadMonthRange as bad:
        # Rendered like any other invalid query: 422 validation-error.
        raise RequestValidationError(
            [{"type": "value_error", "loc": ("query", "from"), "msg": str(bad)}]
        ) from bad
    headers = {"X-Projection-Position": str(report.position)}
    if format_ == "csv" or (format_ is None and wants_csv(accept)):
        name = f"statistics-{report.municipality}-{report.first}-{report.last}.csv"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return Response(statistics_csv(report), media_type="text/csv", headers=headers)
    return JSONResponse(as_json(report), headers=headers)


def wants_csv(accept: str | None) -> bool:
    """CSV when the Accept header prefers text/csv to JSON (by q, then by order)."""
    best: tuple[float, int, str] | None = None
    for order, part in enumerate((accept or "").split(",")):
        media_type, *params = (p.strip() for p in part.split(";"))
        if media_type.lower() not in ("text/csv", "application/json"):
            continue
        q = next((_q(p[2:]) for p in params if p.lower().startswith("q=")), 1.0)
        if q > 0 and (best is None or q > best[0]):
            best = (q, order, media_type.lower())
    return best is not None and best[2] == "text/csv"


def _q(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0


def as_json(report: StatisticsReport) -> dict[str, Any]:
    months = [MonthStatistics.model_validate(_month(f)) for f in report.months]
    body = StatisticsOut(municipality=report.municipality, from_=report.first, to=report.last,
                         min_people=MIN_PEOPLE, months=months)  # fmt: skip
    return body.model_dump(by_alias=True)


def _month(f: MonthFigures) -> dict[str, Any]:
    out: dict[str, Any] = {"month": f.month}
    for measure in MEASURES:
        out[measure] = _count(f.cells[(measure, None)])
        if measure in BREAKDOWNS:
            out[f"{measure}_by_{BROKEN_DOWN_BY[measure]}"] = {
                d: _count(f.cells[(measure, d)]) for d in BREAKDOWNS[measure]
            }
    median = f.median_days_to_acceptance
    out["median_days_to_acceptance"] = {"value": median.days, "suppressed": median.suppressed}
    return out


def _count(c: Cell) -> dict[str, Any]:
    return {"people": c.people, "events": c.events, "suppressed": c.suppressed}
