"""`make bench` at its smoke size, so the benchmark cannot rot unnoticed."""

import json
from pathlib import Path

import pytest

from bench.run import main
from tests.support import require_postgres

pytestmark = pytest.mark.postgres

FIGURES = {"generated", "catch_up", "caseload_page", "load_case", "in_process", "http",
           "server_peak_rss_mb", "naive", "http_2_workers", "rounds_32",
           "with_projections", "web_pages", "oversight_pages", "feed_followers",
           "duplicate_check"}  # fmt: skip


def positive_numbers(value: object) -> list[float]:
    if isinstance(value, dict):
        return positive_numbers(list(value.values()))
    if isinstance(value, list):
        return [n for v in value for n in positive_numbers(v)]
    return [float(value)] if isinstance(value, int | float) else []


def test_smoke_run_measures_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    require_postgres()
    # run() sets these for its server processes; monkeypatch restores them afterwards.
    monkeypatch.setenv("COORDINATION_RATE_LIMIT_PER_MINUTE", "0")
    monkeypatch.setenv("COORDINATION_LOG_LEVEL", "WARNING")
    output = tmp_path / "results.json"
    # Not timed: a machine's speed can vary by half between days (the table's first row).
    main(["--size", "smoke", "--store", "postgres", "--output", str(output)])

    results = json.loads(output.read_text())
    figures = results["figures"]
    assert set(figures) == FIGURES
    assert set(figures["http"]) == {"1", "8", "32"}
    assert set(figures["naive"]) == {"1", "32"}
    assert set(figures["http_2_workers"]) == {"8", "32"}
    # The 32-client runs go in rounds, each with every server, one after another: the
    # default `serve`, its projections running, among them.
    servers = {"naive", "one_worker", "two_workers", "with_projections"}
    assert [set(r) for r in figures["rounds_32"]] == [servers] * 2
    assert figures["http"]["32"] == figures["rounds_32"][0]["one_worker"]
    (row,) = [r for r in results["table"] if "with its projections running" in r["measurement"]]
    assert row["target"] == "≥ 0.90x --no-projections"
    numbers = positive_numbers(figures)
    assert numbers
    assert all(n > 0 for n in numbers), figures
    web = figures["web_pages"]
    assert set(web) == {"agency_cases_on_page", "worklist", "case_page"}
    assert web["agency_cases_on_page"] > 0
    (worklist,) = [r for r in results["table"] if r["measurement"].startswith("web worklist")]
    assert worklist["target"] == "p99 ≤ 100 ms"
    feed = figures["feed_followers"]
    assert feed["followers"] == 50
    assert feed["feed_items"] == feed["feed_items_expected"] > 0  # every item came
    oversight = figures["oversight_pages"]
    assert oversight["log_rows"] == 3_000
    assert set(oversight) >= {"replay", "access_log"}
    (access,) = [r for r in results["table"] if r["measurement"].startswith("web access-log")]
    assert access["target"] == "p99 ≤ 150 ms"
    check = figures["duplicate_check"]
    assert check["indexed"]["events"] >= 60 * 5  # every generated case's events, at least
    (opening,) = [r for r in results["table"] if r["measurement"].startswith("open a case")]
    assert opening["target"] == "p99 ≤ 30 ms"
    loads = figures["load_case"]
    assert loads["with_snapshots"]["events"] == loads["without_snapshots"]["events"] == 1000
    imported = results["bulk_import"]
    assert imported["events"] == imported["workers_2"]["events"] == 50 * 12
    assert imported["events_per_s"] > 0
    assert imported["workers_2"]["events_per_s"] > 0
    rows = [row for row in results["table"] if "bulk import" in row["measurement"]]
    assert ["--workers 2" in row["measurement"] for row in rows] == [False, True]
    assert rows[1]["target"] == "≥ 20,000 ev/s"
    start, before_import, end = results["machine"]["reference_s"]
    assert min(start, before_import, end) > 0
    printed = capsys.readouterr().out
    assert "| machine speed: fixed Python workload" in printed
    assert "| HTTP ingest, 1 API worker vs naive, 32 clients, round by round |" in printed
    assert "| HTTP ingest, 2 API workers vs naive, 32 clients, round by round |" in printed
    assert "| HTTP ingest p99, 8 clients, 2 API workers |" in printed
