"""The coordination service: agencies record what they do for one person as events on
that person's case; data flows to another agency only on a recorded basis.

The layers, from the outside in (each imports only those after it; `make lint` checks):

- `entrypoints/`: the HTTP API, the command line and the HTTP server that runs the API;
- `bootstrap`: the composition root, which builds everything from `settings`;
- `services/`: the use cases, one method per action;
- `application/`: the event-sourced application and its write path;
- `projections` (a package of its own): the read models kept from the event store;
- `contract/`: the request shapes of the public contract, derived from the domain;
- `adapters/`: the store, hash chains and signatures, printable reports, the process;
- `domain/`: the Case aggregate, its events, rules and who sees what;
- `consent` (a package of its own): what a consent allows, pure.
"""
