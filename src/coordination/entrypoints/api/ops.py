"""Operations endpoints: no token, no personal data."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from coordination.entrypoints.api.deps import ServicesDep
from projections.runner import Follower, ProjectionRunner, ProjectionStatus

router = APIRouter(tags=["operations"])


def projection_statuses(request: Request, svc: ServicesDep) -> list[ProjectionStatus]:
    runner: ProjectionRunner | None = request.app.state.runner
    if runner is not None:
        return runner.statuses()
    # Projections run in another process: report where their views stand.
    return [Follower(svc.app, p).status(running=False) for p in svc.projections]


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz", responses={503: {"description": "the database or a projection is not ready"}}
)
def readyz(request: Request, svc: ServicesDep) -> JSONResponse:
    try:
        statuses = projection_statuses(request, svc)
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    in_process = request.app.state.runner is not None
    ready = not in_process or all(s.running and s.error is None for s in statuses)
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
def metrics(request: Request, svc: ServicesDep) -> str:
    statuses = projection_statuses(request, svc)
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
