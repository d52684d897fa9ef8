"""The case domain model: the aggregate, its parts, rules and errors."""
