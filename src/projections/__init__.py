"""Read models of the event store: views, the projections that fill them, runners."""
