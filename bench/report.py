"""The table: each figure, what it is compared with in the same run, the ratio, the
target and whether it is met."""

from typing import Any

Row = dict[str, str]
TARGET_CASES = 100_000  # the caseload target is stated at this many cases
TARGET_IMPORT_EVENTS_PER_S = 20_000
TARGET_WEB_CASES = 200_000  # the web pages' target is stated at this many cases
TARGET_LOG_ROWS = 1_000_000  # the access-log page's target is stated at this many entries


def _verdict(value: float, target: float, higher_is_better: bool) -> str:
    ratio = value / target if higher_is_better else target / value
    if ratio >= 1:
        return f"met ({ratio:.2f}x the target)"
    return f"missed ({ratio:.2f}x the target; needs {1 / ratio:.2f}x better)"


def _row(measurement: str, value: str, compared: str = "", ratio: str = "",
         target: str = "", verdict: str = "") -> Row:  # fmt: skip
    return {"measurement": measurement, "value": value, "compared_with": compared,
            "ratio": ratio, "target": target, "verdict": verdict}  # fmt: skip


def _rate(figures: dict[str, float]) -> str:
    return (f"{figures['events_per_s']:,.0f} ev/s, p50 {figures['p50_ms']:.1f} ms, "
            f"p99 {figures['p99_ms']:.1f} ms")  # fmt: skip


def ingest_rows(f: dict[str, Any]) -> list[Row]:
    inproc, naive, http = f["in_process"]["events_per_s"], f["naive"], f["http"]
    out = [_row("ingest in-process (CaseService.record_event, 1 thread)", _rate(f["in_process"]))]
    for clients, figures in http.items():
        rate = figures["events_per_s"]
        out.append(_row(f"HTTP ingest, {clients} client(s)", _rate(figures),
                        f"in-process {inproc:,.0f} ev/s", f"{rate / inproc:.2f}x"))  # fmt: skip
    for clients, figures in naive.items():
        rate = figures["events_per_s"]
        out.append(_row(f"naive baseline, {clients} client(s)", _rate(figures),
                        f"in-process {inproc:,.0f} ev/s", f"{rate / inproc:.2f}x"))  # fmt: skip
    h32 = http["32"]["events_per_s"]
    out.append(_versus_naive("HTTP ingest, 1 API worker", f, "one_worker"))
    out.append(_versus_naive("HTTP ingest, 2 API workers", f, "two_workers"))
    if "with_projections" in f["rounds_32"][0]:  # results of older runs have no such rounds
        out.append(_with_projections(f))
    out.append(_row("HTTP ingest vs in-process, 32 clients", f"{h32:,.0f} ev/s",
                    f"in-process {inproc:,.0f} ev/s", f"{h32 / inproc:.2f}x",
                    "≥ 0.60x in-process", _verdict(h32 / inproc, 0.6, True)))  # fmt: skip
    w32 = f["http_2_workers"]["32"]
    w32_rate = w32["events_per_s"]
    out.append(_row("HTTP ingest, 32 clients, 2 API workers", _rate(w32),
                    f"in-process {inproc:,.0f} ev/s", f"{w32_rate / inproc:.2f}x",
                    "≥ 0.60x in-process", _verdict(w32_rate / inproc, 0.6, True)))  # fmt: skip
    for label, figures in (("", http["8"]), (", 2 API workers", f["http_2_workers"]["8"])):
        p99 = figures["p99_ms"]
        out.append(_row(f"HTTP ingest p99, 8 clients{label}", f"{p99:.1f} ms", "target 50 ms",
                        f"{p99 / 50:.2f}x", "≤ 50 ms", _verdict(p99, 50, False)))  # fmt: skip
    rss = f["server_peak_rss_mb"]
    out.append(_row("server peak RSS (VmHWM) under ingest", f"{rss:.0f} MB", "target 300 MB",
                    f"{rss / 300:.2f}x", "≤ 300 MB", _verdict(rss, 300, False)))  # fmt: skip
    return out


def _versus_naive(label: str, f: dict[str, Any], name: str) -> Row:
    """Each round's rate against the naive baseline's in the same round (bench/run.py
    `Servers`); the verdict goes by the lowest of the rounds' ratios."""
    mine = [r[name]["events_per_s"] for r in f["rounds_32"]]
    naive = [r["naive"]["events_per_s"] for r in f["rounds_32"]]
    ratios = [m / n for m, n in zip(mine, naive, strict=True)]
    rates, naives = " / ".join(f"{m:,.0f}" for m in mine), " / ".join(f"{n:,.0f}" for n in naive)
    verdict = _verdict(min(ratios), 2.5, True) + f" (lowest of {len(ratios)} rounds)"
    return _row(f"{label} vs naive, 32 clients, round by round", f"{rates} ev/s",
                f"naive in the same round {naives} ev/s", " / ".join(f"{r:.2f}x" for r in ratios),
                "≥ 2.5x naive", verdict)  # fmt: skip


def _with_projections(f: dict[str, Any]) -> Row:
    """`coordination serve` as started by default (its projections running in a process
    of their own) against `--no-projections`, round by round; the lowest ratio decides."""
    mine = [r["with_projections"]["events_per_s"] for r in f["rounds_32"]]
    bare = [r["one_worker"]["events_per_s"] for r in f["rounds_32"]]
    ratios = [m / b for m, b in zip(mine, bare, strict=True)]
    rates, bares = " / ".join(f"{m:,.0f}" for m in mine), " / ".join(f"{b:,.0f}" for b in bare)
    verdict = _verdict(min(ratios), 0.9, True) + f" (lowest of {len(ratios)} rounds)"
    return _row("HTTP ingest, `coordination serve` with its projections running, 32 clients,"
                " round by round", f"{rates} ev/s", f"--no-projections in the same round"
                f" {bares} ev/s", " / ".join(f"{r:.2f}x" for r in ratios),
                "≥ 0.90x --no-projections", verdict)  # fmt: skip


def feed_rows(f: dict[str, Any]) -> list[Row]:
    """Feed items received per second by the agencies' followers while ingest ran,
    against the events ingested per second in the same run (no target: a figure)."""
    feed = f.get("feed_followers")
    if not feed:
        return []
    return [_row(f"change feed, {feed['followers']} agencies following while 8 clients ingest"
                 f" {feed['events']:,} events", f"{feed['feed_items_per_s']:,.0f} items/s"
                 f" ({feed['feed_items']:,} of {feed['feed_items_expected']:,}, the last"
                 f" {feed['feed_s']:.1f} s after ingest began, which took"
                 f" {feed['ingest_s']:.1f} s)",
                 f"ingest {feed['ingest_events_per_s']:,.0f} ev/s", f"{feed['ratio']:.2f}x",
                 "every item delivered", "met" if feed["feed_items"] >= feed["feed_items_expected"]
                 else "missed")]  # fmt: skip


def read_rows(f: dict[str, Any]) -> list[Row]:
    c, page = f["catch_up"], f["caseload_page"]
    with_, without = f["load_case"]["with_snapshots"], f["load_case"]["without_snapshots"]
    h32 = f["http"]["32"]["events_per_s"]
    at_size = page["cases"] >= TARGET_CASES
    return [
        _row(f"projection catch-up, caseload from zero ({c['events']:,} events)",
             f"{c['events_per_s']:,.0f} ev/s", f"HTTP ingest 32 clients {h32:,.0f} ev/s",
             f"{c['events_per_s'] / h32:.2f}x", "≥ 5,000 ev/s",
             _verdict(c["events_per_s"], 5000, True)),
        _row(f"load a {with_['events']:,}-event case, with snapshots",
             f"p50 {with_['p50_ms']:.1f} ms, p99 {with_['p99_ms']:.1f} ms",
             f"without snapshots p50 {without['p50_ms']:.1f} ms",
             f"{without['p50_ms'] / with_['p50_ms']:.1f}x faster", "≤ 20 ms",
             _verdict(with_["p99_ms"], 20, False)),
        _row(f"caseload page via read_page, {page['cases']:,} cases, 50 agencies",
             f"p50 {page['p50_ms']:.1f} ms, p99 {page['p99_ms']:.1f} ms",
             f"p50 {page['p50_ms']:.1f} ms", f"p99/p50 {page['p99_ms'] / page['p50_ms']:.1f}x",
             f"p99 ≤ 20 ms at {TARGET_CASES:,} cases",
             _verdict(page["p99_ms"], 20, False)
             + ("" if at_size else f" (at {page['cases']:,}, not {TARGET_CASES:,} cases)")),
        *web_rows(f["web_pages"], page["cases"]),
        *oversight_rows(f["oversight_pages"]),
        duplicate_row(f["duplicate_check"], page["cases"]),
    ]  # fmt: skip


def duplicate_row(d: dict[str, Any], cases: int) -> Row:
    """Opening a case with the duplicate check against opening without it, in process."""
    at_size = "" if cases >= TARGET_WEB_CASES else f" (at {cases:,}, not {TARGET_WEB_CASES:,})"
    check, bare = d["with_check"], d["without"]
    return _row(f"open a case with the duplicate check, {cases:,} cases indexed",
                f"p50 {check['p50_ms']:.1f} ms, p99 {check['p99_ms']:.1f} ms",
                f"without the check p99 {bare['p99_ms']:.1f} ms",
                f"{check['p99_ms'] / bare['p99_ms']:.2f}x", "p99 ≤ 30 ms",
                _verdict(check["p99_ms"], 30, False) + at_size)  # fmt: skip


def web_rows(w: dict[str, Any], cases: int) -> list[Row]:
    """The web app's pages, timed at the client on loopback, against the JSON reads of
    the same data on the same server, alternating (the case page: case and history)."""
    at_size = "" if cases >= TARGET_WEB_CASES else f" (at {cases:,}, not {TARGET_WEB_CASES:,})"
    return [
        _row(f"web {name.replace('_', ' ')}, {cases:,} cases",
             f"p50 {m['page_p50_ms']:.1f} ms, p99 {m['page_p99_ms']:.1f} ms",
             f"JSON API p99 {m['json_p99_ms']:.1f} ms", f"{m['page_to_json_p99']:.2f}x",
             "p99 ≤ 100 ms", _verdict(m["page_p99_ms"], 100, False) + at_size)
        for name, m in w.items() if isinstance(m, dict)
    ]  # fmt: skip


def oversight_rows(o: dict[str, Any]) -> list[Row]:
    """The auditor's replay of the long case (against the API's reads of it at that
    version) and the DPO's access-log page (against /healthz, the server's floor)."""
    rows = o["log_rows"]
    at_size = "" if rows >= TARGET_LOG_ROWS else f" (at {rows:,}, not {TARGET_LOG_ROWS:,})"
    shown = {"replay": (f"web replay of the long case at version {o['replay_version']}",
                        "JSON API p99", ""),
             "access_log": (f"web access-log page, {rows:,} log entries", "/healthz p99",
                            at_size)}  # fmt: skip
    return [
        _row(label, f"p50 {m['page_p50_ms']:.1f} ms, p99 {m['page_p99_ms']:.1f} ms",
             f"{against} {m['json_p99_ms']:.1f} ms", f"{m['page_to_json_p99']:.2f}x",
             "p99 ≤ 150 ms", _verdict(m["page_p99_ms"], 150, False) + note)
        for name, (label, against, note) in shown.items() if (m := o[name])
    ]  # fmt: skip


def import_rows(f: dict[str, Any]) -> list[Row]:
    """One process, and `--workers 2` where measured (PostgreSQL): the target is the
    2-worker figure's, since the CLI runs that on a 2-core machine."""
    target = TARGET_IMPORT_EVENTS_PER_S
    one, two = f["events_per_s"], f.get("workers_2")
    measurement = "bulk import (`coordination import`), 1 process, {:,} events, both passes"
    if two is None:
        return [_row(measurement.format(f["events"]), f"{one:,.0f} ev/s",
                     f"target {target:,} ev/s", f"{one / target:.2f}x", f"≥ {target:,} ev/s",
                     _verdict(one, target, True))]  # fmt: skip
    rate = two["events_per_s"]
    return [
        _row(measurement.format(f["events"]), f"{one:,.0f} ev/s",
             f"--workers 2 {rate:,.0f} ev/s", f"{one / rate:.2f}x"),
        _row(f"bulk import (`coordination import --workers 2`), {two['events']:,} events, "
             "both passes, process start included", f"{rate:,.0f} ev/s",
             f"target {target:,} ev/s; 1 process {one:,.0f} ev/s", f"{rate / target:.2f}x",
             f"≥ {target:,} ev/s", _verdict(rate, target, True)),
    ]  # fmt: skip


def machine_row(machine: dict[str, Any]) -> list[Row]:
    """The fixed workload's time at the run's start, before the import and at the end
    (bench/run.py; older results have no middle one): lower is faster."""
    samples = machine["reference_s"]
    label = "machine speed: fixed Python workload (lower is faster), start / before import / end"
    if len(samples) == 2:
        label = label.replace(" / before import", "")
    value = " / ".join(f"{s:.2f} s" for s in samples)
    ratios = " / ".join(f"{s / samples[0]:.2f}x" for s in samples[1:])
    return [_row(label, value, "start of run", ratios)]


def rows(results: dict[str, Any]) -> list[Row]:
    figures = results["figures"]
    return (machine_row(results["machine"]) + ingest_rows(figures) + feed_rows(figures)
            + read_rows(figures) + import_rows(results["bulk_import"]))  # fmt: skip


def table(results: dict[str, Any]) -> str:
    """A Markdown table, so a run can be pasted into docs/performance.md as it is."""
    header = ["measurement", "value", "compared with", "ratio", "target", "verdict"]
    lines = [
        f"{results['size']} run on {results['store']}, {results['at']}, "
        f"{results['machine']['cpus']} CPUs",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(r.values()) + " |" for r in results["table"]]
    return "\n".join(lines)
