"""Request body of POST /v1/tokens: an agency's admin issues a token (ADR 0055).

The agency is the admin's own, never named in the body; the label names the system that
will hold the token and is recorded with everything it does, so it is short and plain.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from coordination.domain.identity import Role

Label = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]


class IssueToken(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"role": "caseworker", "label": "fachverfahren-2027"}]},
    )

    role: Role
    label: Label | None = Field(
        default=None, description="default: the role and the token id, `caseworker-<id>`"
    )
