"""`make bench`: generate data, run every measurement, print a table, write results.json.

python -m bench.run --size smoke|default|full --store postgres|sqlite
"""

import argparse
import base64
import hashlib
import json
import os
import platform
import random
import secrets
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from bench import duplicates, feed_followers, measure, oversight_pages, web_pages
from bench.data import generate_cases, long_case, register_agencies, workload
from bench.importing import bulk_import
from bench.report import rows, table
from coordination.adapters.runtime.heap import freeze_startup_heap
from coordination.bootstrap import Services, bootstrap, migrate
from coordination.domain.identity import Role
from coordination.settings import Settings
from projections.runner import Follower

PG_DSN = os.environ.get("COORDINATION_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
RESULTS = Path(__file__).resolve().parent / "results.json"
# Rounds of the 32-client runs (naive, one worker, two workers, one after another).
ROUNDS_32 = 2


@dataclass(frozen=True)
class Size:
    cases: int  # generated cases, five events each: the caseload and the catch-up store
    ingest_events: int  # per run: each concurrency level, in-process, naive
    long_case_events: int
    loads: int
    page_reads: int
    log_rows: int  # access-log entries of one municipality's agencies, for the DPO's page


SIZES = {
    "smoke": Size(cases=60, ingest_events=64, long_case_events=1_000, loads=5, page_reads=50,
                  log_rows=3_000),
    "default": Size(cases=20_000, ingest_events=2_000, long_case_events=1_000, loads=30,
                    page_reads=100, log_rows=300_000),
    "full": Size(cases=200_000, ingest_events=10_000, long_case_events=1_000, loads=50,
                 page_reads=200, log_rows=1_000_000),
}  # fmt: skip
# Legacy cases (a dozen events each) in the bulk import's NDJSON file.
IMPORT_CASES = {"smoke": 50, "default": 10_000, "full": 50_000}


def keys_in_environment() -> None:
    """Keys for this run only, from the environment: nothing is written into the tree."""
    for name in ("COORDINATION_MASTER_KEY", "COORDINATION_SIGNING_KEY"):
        os.environ.setdefault(name, base64.b64encode(secrets.token_bytes(32)).decode())
    # The benchmark measures the write path, not the per-token rate limiter.
    os.environ["COORDINATION_RATE_LIMIT_PER_MINUTE"] = "0"
    os.environ["COORDINATION_LOG_LEVEL"] = "WARNING"


@contextmanager
def store(kind: str) -> Iterator[str]:
    """A fresh, empty store for one run, removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="coordination-bench-") as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        yield f"{PG_DSN}?schema={schema}"
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def settle(url: str) -> None:
    """VACUUM ANALYZE after bulk generation: a store that grew over months has current
    planner statistics, and autovacuum catching up mid-measurement would skew whichever
    figure came first (it did: in-process ingest ran at a third of its speed)."""
    if not url.startswith("postgres"):
        return
    schema = url.rsplit("schema=", 1)[1]
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema,),
        ).fetchall()
        for (table,) in tables:
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)))  # fmt: skip


def reference_seconds() -> float:
    """The machine's speed at this moment: a fixed pure-Python workload (hashing and JSON,
    as the service does), best of three. The targets are absolute and a machine's speed
    can vary by half between days; this lets runs of different days be compared."""
    payload = {"case": "c" * 32, "version": 7, "data": list(range(50))}

    def once() -> float:
        began = time.perf_counter()
        for n in range(10_000):
            hashlib.sha256(json.dumps({**payload, "n": n}).encode()).digest()
        return time.perf_counter() - began

    return min(once() for _ in range(3))


def step(label: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {label}", flush=True)


def measure_reads(svc: Services, size: Size, url: str, now: datetime) -> dict[str, Any]:
    step(f"generating {size.cases} cases")
    began = time.perf_counter()
    generate_cases(svc.app, size.cases, random.Random(42), now)
    generated = {"cases": size.cases, "seconds": time.perf_counter() - began}
    settle(url)
    step("projection catch-up (caseload, from zero)")
    catch_up = measure.catch_up(svc)
    settle(url)
    step("opening with the duplicate check, against without")
    duplicate_check = duplicates.measure(svc, size.page_reads, lambda: settle(url))
    step("caseload pages")
    pages = measure.caseload_pages(svc, size.page_reads, now)
    pages["cases"] = size.cases
    step("web app pages against the JSON API")
    web = web_pages.measure(svc, {"COORDINATION_DATABASE_URL": url}, size.page_reads, now)
    step(f"loading a case of {size.long_case_events} events")
    case_id = long_case(svc.app, size.long_case_events, now)
    load = measure.load_case(svc, case_id, size.loads)
    step(f"replay and access-log pages ({size.log_rows:,} log entries)")
    oversight = oversight_pages.measure(
        svc, {"COORDINATION_DATABASE_URL": url}, size.page_reads, case_id, size.log_rows, now
    )
    return {"generated": generated, "catch_up": catch_up, "caseload_page": pages,
            "load_case": load, "web_pages": web, "oversight_pages": oversight,
            "duplicate_check": duplicate_check}  # fmt: skip


def measure_ingest(svc: Services, size: Size, url: str, now: datetime) -> dict[str, Any]:
    env = {"COORDINATION_DATABASE_URL": url}
    step("ingest in-process")
    alone = workload(svc.app, 1, size.ingest_events, now, seed=1)
    results: dict[str, Any] = {"in_process": measure.in_process_ingest(svc, alone)}
    servers = Servers(svc, size, now, env)
    try:
        results["http"] = {str(c): servers.ingest("one_worker", c) for c in (1, 8)}
        results["naive"] = {"1": servers.ingest("naive", 1)}
        results["http_2_workers"] = {"8": servers.ingest("two_workers", 8)}
        results["rounds_32"] = [servers.round_32(n) for n in range(ROUNDS_32)]
        results["feed_followers"] = servers.feed_followers()
        results["server_peak_rss_mb"] = servers.served["one_worker"].peak_rss_mb()
    finally:
        servers.stop()
    first = results["rounds_32"][0]
    results["http"]["32"], results["naive"]["32"] = first["one_worker"], first["naive"]
    results["http_2_workers"]["32"] = first["two_workers"]
    results["with_projections"] = {"32": first["with_projections"]}
    return results


class Servers:
    """The naive baseline, `serve` and `serve --workers 2`, all up at once, so that the
    32-client figures compared with each other are taken minutes apart, in rounds: this
    machine's speed moved by half within one run, and a ratio of figures taken a quarter
    of an hour apart measured the machine as much as the service."""

    def __init__(self, svc: Services, size: Size, now: datetime, env: dict[str, str]) -> None:
        self.svc, self.size, self.now, self.seed, self.env = svc, size, now, 100, env
        self.served: dict[str, measure.Served] = {}
        try:
            self.served["naive"] = measure.naive_server(env)
            self.served["one_worker"] = measure.coordination_server(env)
            self.served["two_workers"] = measure.coordination_server(env, workers=2)
        except BaseException:
            self.stop()
            raise

    def ingest(self, name: str, clients: int) -> dict[str, float]:
        step(f"ingest over HTTP, {name.replace('_', ' ')}, {clients} clients")
        self.seed += 1
        work = workload(self.svc.app, clients, self.size.ingest_events, self.now, seed=self.seed)
        if name == "naive":
            encode = measure.naive_requests(work.lead)
        else:
            label = f"bench-{name}-{clients}-{self.seed}"
            token = self.svc.directory.issue_token(work.lead, Role.CASEWORKER, label)
            encode = measure.coordination_requests(token.token)
        return measure.http_ingest(self.served[name], work, encode)

    def round_32(self, n: int) -> dict[str, dict[str, float]]:
        step(f"32 clients, round {n + 1} of {ROUNDS_32}")
        rates = {name: self.ingest(name, 32) for name in ("naive", "one_worker", "two_workers")}
        return rates | {"with_projections": self.with_projections(32)}

    def with_projections(self, clients: int) -> dict[str, float]:
        """`coordination serve` as a user starts it, its projections running. Up only for
        its own measurement: its projection process follows the shared store, and would
        otherwise keep up with the other servers' writes while they are measured. The
        views are caught up first, so it starts with nothing to project but its own."""
        for projection in self.svc.projections:
            Follower(self.svc.app, projection, self.svc.settings.projection_batch_size).catch_up()
        self.served["with_projections"] = measure.default_server(self.env)
        try:
            return self.ingest("with_projections", clients)
        finally:
            self.served.pop("with_projections").stop()

    def feed_followers(self) -> dict[str, Any]:
        """`coordination serve` with its projections, 50 agencies' systems following
        their feeds while 8 clients ingest (bench/feed_followers.py)."""
        step(f"feed followers ({feed_followers.FOLLOWERS}) while ingest runs")
        for projection in self.svc.projections:
            Follower(self.svc.app, projection, self.svc.settings.projection_batch_size).catch_up()
        server = measure.default_server(self.env)
        try:
            return feed_followers.measure_followers(
                self.svc, server, self.size.ingest_events, self.now
            )
        finally:
            server.stop()

    def stop(self) -> None:
        for server in self.served.values():
            server.stop()


def run(size_name: str, store_kind: str, results_path: Path = RESULTS) -> dict[str, Any]:
    keys_in_environment()
    size = SIZES[size_name]
    now = datetime.now(UTC)
    reference = [reference_seconds()]
    with store(store_kind) as url:
        migrate(Settings(database_url=url))
        svc = bootstrap(Settings(database_url=url))
        # As `coordination serve` does: the in-process figures stand for a server's.
        freeze_startup_heap()
        try:
            register_agencies(svc.directory)
            figures = measure_reads(svc, size, url, now) | measure_ingest(svc, size, url, now)
            # The import comes last, when the machine may have slowed: its own sample.
            reference.append(reference_seconds())
            step(f"bulk import of {IMPORT_CASES[size_name]} cases")
            imported = bulk_import(svc, IMPORT_CASES[size_name], now)
        finally:
            svc.close()
    reference.append(reference_seconds())
    results: dict[str, Any] = {
        "size": size_name, "store": store_kind, "at": now.isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(), "reference_s": reference},
        "figures": figures, "bulk_import": imported,
    }  # fmt: skip
    results["table"] = rows(results)
    results_path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=SIZES, default="default")
    parser.add_argument("--store", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    results = run(args.size, args.store, args.output)
    print(table(results))
    print(f"written: {args.output}")


if __name__ == "__main__":
    main()
