"""The ways in: the HTTP API, the command line, and the server that runs the API. Each is
a thin translation onto the services; nothing imports them."""
