"""Operations endpoints: no token, no personal data."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse

from coordination.api.deps import ServicesDep

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(svc: ServicesDep) -> JSONResponse:
    try:
        svc.app.recorder.max_notification_id()
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    return JSONResponse({"status": "ready", "database": "reachable"})


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(svc: ServicesDep) -> str:
    position = svc.app.recorder.max_notification_id() or 0
    return (
        "# HELP coordination_event_store_position Highest notification id in the store.\n"
        "# TYPE coordination_event_store_position gauge\n"
        f"coordination_event_store_position {position}\n"
    )
