"""The load generator: HTTP/1.1 clients in a process of their own, requests encoded first.

httpx in threads of the benchmark's own process cost about 1.2 ms of CPU per request
on a 2-CPU machine, a third of what the server spent: on two cores shared by client,
server and PostgreSQL, the figures measured the client as much as the server. Here
every request is encoded before the clock starts, and each client is a coroutine on
one keep-alive connection that writes its request and reads the response.
"""

import asyncio
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from urllib.parse import urlsplit

Requests = list[list[bytes]]  # per client, in sending order


def request(url: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    host = urlsplit(url).netloc
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{head}\r\n").encode() + body  # fmt: skip


def run(url: str, requests: Requests, expect: int) -> tuple[float, list[float], float]:
    """(seconds from the first request to the last response, each request's latency, the
    CPU seconds the clients used); RuntimeError if any response's status is not `expect`."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_run, url, requests, expect).result()


def _run(url: str, requests: Requests, expect: int) -> tuple[float, list[float], float]:
    cpu = time.process_time()
    elapsed, latencies = asyncio.run(_clients(url, requests, expect))
    return elapsed, latencies, time.process_time() - cpu


async def _clients(url: str, requests: Requests, expect: int) -> tuple[float, list[float]]:
    parts = urlsplit(url)
    connections = [await asyncio.open_connection(parts.hostname, parts.port) for _ in requests]
    began = time.perf_counter()
    latencies = await asyncio.gather(
        *(_client(conn, mine, expect) for conn, mine in zip(connections, requests, strict=True))
    )
    elapsed = time.perf_counter() - began
    for _, writer in connections:
        writer.close()
    return elapsed, [s for client in latencies for s in client]


async def _client(
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], mine: list[bytes], expect: int
) -> list[float]:
    reader, writer = conn
    latencies = []
    for raw in mine:
        t = time.perf_counter()
        writer.write(raw)
        status, body = await _response(reader)
        latencies.append(time.perf_counter() - t)
        if status != expect:
            raise RuntimeError(f"answered {status}: {body[:200]!r}")
    return latencies


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    # Every response of these endpoints has a length: no chunked bodies to read.
    return int(lines[0].split()[1]), await reader.readexactly(length)
