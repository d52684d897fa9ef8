"""Errors of the application service (the domain's own are in domain.errors)."""


class ServiceError(Exception):
    pass


class CaseNotFound(ServiceError):
    """No such case, or the caller has no relation to it at all."""

    def __init__(self) -> None:
        super().__init__("no such case, or no relation to it")


class VersionMismatch(ServiceError):
    def __init__(self, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(f"the case is at version {current_version}")


class IdempotencyKeyReused(ServiceError):
    def __init__(self) -> None:
        super().__init__("this Idempotency-Key was used with a different request")


class IdempotencyKeyInFlight(ServiceError):
    def __init__(self) -> None:
        super().__init__("a request with this Idempotency-Key is still being processed")


class Contended(ServiceError):
    """Writers kept overtaking each other; nothing was recorded, try again."""

    def __init__(self) -> None:
        super().__init__("the case is busy; nothing was recorded, please retry")


class Forbidden(ServiceError):
    pass


class ProjectionBehind(ServiceError):
    """A read-your-writes read waited and the read model did not catch up."""

    def __init__(self) -> None:
        super().__init__("the read model has not reached that position yet; retry shortly")


class AccessLogUnavailable(ServiceError):
    """The access log cannot be written or read, so the request that needs it is refused."""

    def __init__(self) -> None:
        super().__init__("the access log is unavailable; nothing is shown without its entry")
