"""Emergency access and the consent trail from the command line: the same use cases as
the HTTP API, for a named caseworker or data-protection officer of a registered agency."""

import json
from typing import Annotated, Any
from uuid import UUID, uuid4

import typer
from fastapi.encoders import jsonable_encoder
from pydantic import ValidationError

from coordination.application.errors import CaseNotFound, Forbidden
from coordination.bootstrap import Services
from coordination.contract.requests import EVENT_BODIES
from coordination.domain.errors import DomainError
from coordination.domain.identity import Caller, Principal, Role
from coordination.entrypoints.cli.app import cli, services

Agency = Annotated[str, typer.Option("--agency", help="the acting agency's id")]
By = Annotated[str, typer.Option("--by", help="who acts: logged as the token label cli:<by>")]


def _caller(svc: Services, agency_id: str, by: str, role: Role) -> Caller:
    agency = svc.directory.get_agency(agency_id)
    if agency is None:
        typer.echo(f"no agency '{agency_id}' (coordination agencies add)", err=True)
        raise typer.Exit(1)
    return Caller(Principal(agency, role, "cli", f"cli:{by}"), f"cli-{uuid4()}")


def _record(svc: Services, caller: Caller, case_id: UUID, body: dict[str, Any]) -> None:
    """Checked by the request model the API uses, recorded by the same use case."""
    try:
        fields = EVENT_BODIES[body["type"]].model_validate(body).model_dump()
        kind = fields.pop("type")
        recorded = svc.cases.record_event(caller, case_id, kind, fields, None, None)
    except (ValidationError, DomainError, CaseNotFound, Forbidden) as refused:
        typer.echo(f"refused: {refused}", err=True)
        raise typer.Exit(1) from None
    data = jsonable_encoder(recorded.event.__dict__)
    typer.echo(json.dumps({"version": recorded.version, "access_id": data.get("access_id")}))


@cli.command("emergency-access")
def emergency_access(
    case_id: UUID, agency: Agency, by: By,
    justification: Annotated[str, typer.Option(help="why the person's vital interests need it")],
) -> None:  # fmt: skip
    """Open a case's withheld parts to the agency for a limited time (break-glass)."""
    with services() as svc:
        caller = _caller(svc, agency, by, Role.CASEWORKER)
        _record(svc, caller, case_id, {"type": "EmergencyAccessOpened",
                                       "justification": justification})  # fmt: skip


@cli.command("end-emergency-access")
def end_emergency_access(case_id: UUID, access_id: str, agency: Agency, by: By) -> None:
    """End the agency's emergency access before its time runs out."""
    with services() as svc:
        caller = _caller(svc, agency, by, Role.CASEWORKER)
        _record(svc, caller, case_id, {"type": "EmergencyAccessEnded", "access_id": access_id})


@cli.command("consent-trail")
def consent_trail(case_id: UUID, agency: Agency, by: By) -> None:
    """Print a case's consent trail as JSON, as the agency's data-protection officer reads
    it: every disclosure and read with its basis. The read is logged."""
    with services() as svc:
        caller = _caller(svc, agency, by, Role.DPO)
        try:
            document = svc.oversight.consent_trail(caller, case_id)
        except (CaseNotFound, Forbidden):
            typer.echo("no such case for this officer", err=True)
            raise typer.Exit(1) from None
        typer.echo(json.dumps(jsonable_encoder(document), indent=2, ensure_ascii=False))
