"""Who runs an import: each case it brings in gets one access-log entry naming them,
committed with the case's events (docs/import.md, security.md F-6)."""

import getpass
import os
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from coordination.adapters.store.access_log import IMPORTED, AccessEntry
from coordination.domain.identity import Role

# `coordination import` has no token: its importer is whoever runs it against the
# database. Not a slug (the colon), so no registered agency can ever have this id.
OPERATOR = "operator:cli"


@dataclass(frozen=True)
class ImportedBy:
    """The importer as the access log names a caller; `request_id` names the run."""

    agency_id: str
    token_label: str
    role: str
    request_id: str

    def entry(self, case_id: UUID, line: int, at: datetime) -> AccessEntry:
        """Ids only: the case, the input's line it came from, no category and no data."""
        return AccessEntry(
            at=at, agency_id=self.agency_id, token_label=self.token_label, role=self.role,
            request_id=self.request_id, case_id=str(case_id), action=IMPORTED,
            basis={"line": line},
        )  # fmt: skip


def operator() -> ImportedBy:
    """The CLI's importer: the operating-system user, under a fresh import-run id."""
    return ImportedBy(OPERATOR, _login(), Role.ADMIN.value, f"import-{uuid4().hex}")


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # neither the environment nor the password database has one
        return f"uid-{os.getuid()}"
