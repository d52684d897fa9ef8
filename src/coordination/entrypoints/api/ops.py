"""Operations endpoints: no token, no personal data."""

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from coordination.entrypoints.api.deps import ServicesDep

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: Literal["ok"]


class ProjectionReadiness(BaseModel):
    position: int = Field(description="the last store position it took in")
    lag: int = Field(description="events recorded but not yet taken in")
    running: bool
    in_process: bool = Field(description="kept by this process; else by a runner that beats")
    error: str | None


READY: dict[str, Any] = {
    "status": "ready", "database": "reachable",
    "projections": {
        name: {"position": 1834, "lag": 0, "running": True, "in_process": True, "error": None}
        for name in ("caseload", "feed", "person_index", "statistics")},
}  # fmt: skip


class Readiness(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [READY]})

    status: Literal["ready", "unavailable"]
    database: Literal["reachable", "unreachable"]
    projections: dict[str, ProjectionReadiness] | None = Field(
        None, description="by name; absent when the database cannot be reached"
    )


METRICS = """# HELP coordination_event_store_position Highest notification id in the store.
# TYPE coordination_event_store_position gauge
coordination_event_store_position 1834
# HELP coordination_projection_position Last position a projection processed.
# TYPE coordination_projection_position gauge
coordination_projection_position{projection="caseload"} 1834
# HELP coordination_projection_lag Events recorded but not yet projected.
# TYPE coordination_projection_lag gauge
coordination_projection_lag{projection="caseload"} 0
"""


@router.get("/healthz", response_model=Health)
def get_health() -> dict[str, str]:
    return {"status": "ok"}


NOT_READY = {"model": Readiness, "description": "the database or a projection is not ready"}


@router.get("/readyz", response_model=Readiness, responses={503: NOT_READY})
def get_readiness(svc: ServicesDep) -> JSONResponse:
    """Ready when the database answers and every projection is kept, in this process or
    by a runner that beats (unless the views are kept elsewhere: `projections_required`)."""
    try:
        statuses = svc.runner.statuses()
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    in_process = svc.runner.running
    kept = all(s.running and s.error is None for s in statuses)
    ready = kept or not svc.settings.projections_required
    body = {
        "status": "ready" if ready else "unavailable",
        "database": "reachable",
        "projections": {
            s.name: {"position": s.position, "lag": s.lag, "running": s.running,
                     "in_process": in_process, "error": s.error}
            for s in statuses
        },
    }  # fmt: skip
    return JSONResponse(body, 200 if ready else 503)


@router.get("/metrics", response_class=PlainTextResponse,
            responses={200: {"content": {"text/plain": {"example": METRICS}}}})  # fmt: skip
def get_metrics(svc: ServicesDep) -> str:
    statuses = svc.runner.statuses()
    head = svc.app.recorder.max_notification_id() or 0
    lines = [
        "# HELP coordination_event_store_position Highest notification id in the store.",
        "# TYPE coordination_event_store_position gauge",
        f"coordination_event_store_position {head}",
        "# HELP coordination_projection_position Last position a projection processed.",
        "# TYPE coordination_projection_position gauge",
        *(f'coordination_projection_position{{projection="{s.name}"}} {s.position}'
          for s in statuses),
        "# HELP coordination_projection_lag Events recorded but not yet projected.",
        "# TYPE coordination_projection_lag gauge",
        *(f'coordination_projection_lag{{projection="{s.name}"}} {s.lag}' for s in statuses),
    ]  # fmt: skip
    return "\n".join(lines) + "\n"
