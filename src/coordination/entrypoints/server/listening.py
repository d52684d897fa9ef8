"""Several API workers on one port, each with a listening socket of its own (ADR 0026).

uvicorn's workers share one listening socket and race to accept from it; whichever
wakes first takes every connection waiting, so clients that connect together (a load
balancer's pool, the benchmark's clients) can all land on one worker while the other
idles. With SO_REUSEPORT each worker listens on a socket of its own at the same
address, and Linux spreads new connections over them by a hash of the client's
address and port.

The parent reserves the port with a socket it never listens on, so no other program
can take it; a socket that never listens is given no connections. Each worker makes
its socket as it starts (`ReusedPort` is a recipe that pickles to the worker and is
made there), so a worker restarted after a crash joins with a socket of its own too.
"""

import socket
import sys
from typing import Any, cast

from uvicorn import Config
from uvicorn.supervisors.multiprocess import Multiprocess

# Linux spreads connections over the sockets; elsewhere SO_REUSEPORT does not balance.
AVAILABLE = sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _reusing(host: str, port: int) -> socket.socket:
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def reserve(host: str, port: int) -> socket.socket:
    """The parent's socket, bound and never listening. OSError if the port is in use,
    by any program, a server of ours with reused ports included: a plain bind first,
    which fails beside any socket already bound there."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
    return _reusing(host, port)


class ReusedPort:
    """Pickled to a worker, where unpickling makes its own socket at the address."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    def __reduce__(self) -> tuple[Any, tuple[str, int]]:
        return _reusing, (self.host, self.port)


def run_workers(config: Config) -> None:
    """uvicorn's supervisor of `config.workers` processes (it restarts one that dies),
    each on a socket of its own; SystemExit with a message if the port is in use."""
    try:
        reserved = reserve(config.host, config.port)
    except OSError as error:
        raise SystemExit(
            f"cannot listen on {config.host}:{config.port}: {error.strerror}"
        ) from None
    with reserved:
        port = reserved.getsockname()[1]  # the one given, or the one the system chose
        # Passed where uvicorn passes the socket it shares; each worker unpickles its own.
        sockets = cast(list[socket.socket], [ReusedPort(config.host, port)])
        Multiprocess(config, sockets=sockets).run()
