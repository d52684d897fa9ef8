"""Bulk import of existing cases from NDJSON, one case and its history per line."""

from coordination.adapters.store.access_log import IMPORTED
from coordination.services.importing.imported_by import OPERATOR, ImportedBy, operator
from coordination.services.importing.problems import ImportRefused, ImportStopped, LineProblem
from coordination.services.importing.service import ImportService, ImportSummary, Lines, file_lines

__all__ = ["IMPORTED", "OPERATOR", "ImportRefused", "ImportService", "ImportStopped",
           "ImportSummary", "ImportedBy", "LineProblem", "Lines", "file_lines",
           "operator"]  # fmt: skip
