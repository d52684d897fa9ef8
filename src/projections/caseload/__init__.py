"""The caseload: for each agency, the cases where it has something to do."""
