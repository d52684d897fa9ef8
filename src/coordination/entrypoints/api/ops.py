"""Operations endpoints: no token, no personal data."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse

from coordination.entrypoints.api.deps import ServicesDep

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def get_health() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz", responses={503: {"description": "the database or a projection is not ready"}}
)
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


@router.get("/metrics", response_class=PlainTextResponse)
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
