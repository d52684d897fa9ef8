"""Bulk import of existing cases from NDJSON, one case and its history per line."""

from coordination.importing.imported_by import OPERATOR, ImportedBy, operator
from coordination.importing.problems import ImportRefused, ImportStopped, LineProblem
from coordination.importing.service import ImportService, ImportSummary, Lines, file_lines
from coordination.store.access_log import IMPORTED

__all__ = ["IMPORTED", "OPERATOR", "ImportRefused", "ImportService", "ImportStopped",
           "ImportSummary", "ImportedBy", "LineProblem", "Lines", "file_lines",
           "operator"]  # fmt: skip
