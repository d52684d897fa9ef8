"""The change feed: per agency, the events of the cases it is related to, numbered in
the agency's own sequence."""
