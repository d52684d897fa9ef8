"""Read-your-writes: a read of a view with `min_position` waits until the view has
taken in that position of the store, or answers 503 after the deployment's wait. A
position the store has not reached is answered at once: waiting could not help."""

from coordination.application.app import CoordinationApplication
from coordination.application.errors import ProjectionBehind
from projections.view import View


class PositionAhead(ValueError):
    """`min_position` names a position after the store's newest event."""

    def __init__(self, asked: int, head: int) -> None:
        self.head = head
        super().__init__(
            f"position {asked} is after the store's newest event ({head}): ask with a"
            " position an answer gave (X-Event-Position)"
        )


def wait_until_taken_in(
    app: CoordinationApplication, view: View, min_position: int | None, seconds: float
) -> None:
    if min_position is None:
        return
    head = app.recorder.max_notification_id() or 0
    if min_position > head:
        raise PositionAhead(min_position, head)
    if not view.wait_for(app.name, min_position, seconds):
        raise ProjectionBehind
