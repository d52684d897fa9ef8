"""Errors of the application and its use cases (the domain's own are in domain.errors)."""


class CaseNotFound(Exception):
    """No such case, or the caller has no relation to it at all."""

    def __init__(self) -> None:
        super().__init__("no such case, or no relation to it")


class VersionMismatch(Exception):
    def __init__(self, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(f"the case is at version {current_version}")


class Contended(Exception):
    """Writers kept overtaking each other; nothing was recorded, try again."""

    def __init__(self) -> None:
        super().__init__("the case is busy; nothing was recorded, please retry")


class Forbidden(Exception):
    pass


class ProjectionBehind(Exception):
    """A read-your-writes read waited and the read model did not catch up."""

    def __init__(self) -> None:
        super().__init__("the read model has not reached that position yet; retry shortly")
