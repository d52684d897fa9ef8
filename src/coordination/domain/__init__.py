"""The case domain model: the aggregate, its events, parts, rules, errors, who acts and
who sees what. Imports only `eventsourcing.domain` and `consent`."""
