"""Several workers on one port (entrypoints/server/listening.py, ADR 0026): each worker's own
socket, made where it is unpickled, takes a share of the connections; the parent's
reserved socket takes none; a port in use is refused before any worker starts."""

import pickle
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from coordination.entrypoints.server.listening import AVAILABLE, ReusedPort, reserve

pytestmark = pytest.mark.skipif(not AVAILABLE, reason="SO_REUSEPORT balances on Linux only")
HOST = "127.0.0.1"


def accepted(listener: socket.socket) -> int:
    listener.setblocking(False)
    count = 0
    while True:
        try:
            conn, _ = listener.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


def test_each_worker_takes_a_share_and_the_reserved_socket_none() -> None:
    # 1. The parent reserves the port; two workers each unpickle a socket of their own.
    with reserve(HOST, 0) as reserved:
        port = reserved.getsockname()[1]
        recipe = pickle.dumps(ReusedPort(HOST, port))
        workers = [pickle.loads(recipe) for _ in range(2)]
        try:
            for w in workers:
                w.listen(128)
            # 2. Sixty-four clients connect at once.
            clients = [socket.create_connection((HOST, port), timeout=5) for _ in range(64)]
            # 3. Every connection was given to a worker, and each worker got some.
            shares = [accepted(w) for w in workers]
            assert sum(shares) == 64
            assert min(shares) > 0, shares
            for c in clients:
                c.close()
        finally:
            for w in workers:
                w.close()


def test_a_port_in_use_is_refused_whoever_holds_it() -> None:
    with socket.socket() as plain:
        plain.bind((HOST, 0))
        plain.listen()
        with pytest.raises(OSError, match="in use"):
            reserve(HOST, plain.getsockname()[1])
    # A server of ours holds it: joining its sockets would take half its connections.
    with reserve(HOST, 0) as ours:
        port = ours.getsockname()[1]
        with pickle.loads(pickle.dumps(ReusedPort(HOST, port))) as worker:
            worker.listen()
            with pytest.raises(OSError, match="in use"):
                reserve(HOST, port)


def test_serve_with_workers_on_a_port_in_use_stops_with_a_message(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        command = [str(Path(sys.executable).parent / "coordination"), "serve", "--workers", "2",
                   "--port", port]  # fmt: skip
        env = {"COORDINATION_DATABASE_URL": f"sqlite:///{tmp_path}/c.db", "PATH": "/usr/bin"}
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert f"cannot listen on {HOST}:{port}" in done.stderr
