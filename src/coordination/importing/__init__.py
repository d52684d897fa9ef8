"""Bulk import of existing cases from NDJSON, one case and its history per line."""

from coordination.importing.problems import ImportRefused, InputChanged, LineProblem
from coordination.importing.service import ImportService, ImportSummary, Lines, file_lines

__all__ = ["ImportRefused", "ImportService", "ImportSummary", "InputChanged", "LineProblem",
           "Lines", "file_lines"]  # fmt: skip
