"""`make bench`: speed measured against baselines run in the same process, printed as ratios.

Nothing here asserts a wall-clock limit; it prints numbers for people to read.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generated"))
SHARED = ROOT.parent / "shared"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def best_of(rounds: int, fn) -> float:
    return min(timed(fn) for _ in range(rounds))


def bench_corpus() -> None:
    corpus = SHARED / "corpus" / "en"
    if not corpus.is_dir():
        print(f"corpus: skipped ({corpus} is absent)")
        return
    from markdown_it import MarkdownIt

    from generator.read import expand, read_paths

    files = expand([corpus])
    texts = [p.read_text(encoding="utf-8") for p in files]
    md = MarkdownIt("commonmark")
    tokenize = best_of(2, lambda: [md.parse(t) for t in texts])
    read = best_of(2, lambda: read_paths([corpus]))
    methods, _ = read_paths([corpus])
    print(f"corpus en: {len(files)} files, {len(methods)} methods")
    print(f"  b24gen read (files -> IR):      {read:7.2f} s")
    print(f"  markdown-it-py tokenize only:   {tokenize:7.2f} s")
    print(f"  ratio read / tokenize:          {read / tokenize:7.2f}x")


def bench_overhead(calls: int) -> None:
    """The generated client against raw httpx, same loopback mock portal, same method."""
    import httpx

    import b24client
    from b24client.testing import mock_portal

    with mock_portal(drain=1e9, burst=10**9) as portal:
        url = portal.webhook_url + "tasks.task.list"
        payload = {"filter": {"STATUS": 2}}
        raw = httpx.Client()
        unlimited = b24client.Limits(drain=1e9, burst=10**9)
        client = b24client.Bitrix24.from_webhook(portal.webhook_url, allow_http=True, limits=unlimited)

        def raw_calls() -> None:
            for _ in range(calls):
                raw.post(url, json=payload).json()["result"]

        def client_calls() -> None:
            for _ in range(calls):
                client.tasks.task.list(filter=payload["filter"])

        raw_calls(), client_calls()  # warm up connections
        t_raw, t_client = [], []
        for _ in range(7):  # interleaved rounds so both see the same machine load
            t_raw.append(timed(raw_calls))
            t_client.append(timed(client_calls))
    r, c = min(t_raw), min(t_client)
    print(f"per-call overhead ({calls} calls, loopback mock portal, best of 7):")
    print(f"  raw httpx:        {r / calls * 1e6:8.1f} us/call")
    print(f"  generated client: {c / calls * 1e6:8.1f} us/call")
    print(f"  ratio:            {c / r:8.3f}x (target <= 1.10x)")


def bench_bulk(items: int) -> None:
    """Fetch `items` list items under the emulated 2/s, burst-50 limit."""
    import b24client
    from b24client.testing import mock_portal

    drain, burst = 2.0, 50
    with mock_portal(dataset_size=items, drain=drain, burst=burst) as portal:
        client = b24client.Bitrix24.from_webhook(portal.webhook_url, allow_http=True)
        start = time.perf_counter()
        ids = [int(i["id"]) for i in client.iterate_fast("crm.item.list", {"entityTypeId": 2})]
        elapsed = time.perf_counter() - start
        requests = len(portal.requests)
        refused = portal.count_503
    minimum = max(0, requests - burst) / drain
    ok = len(ids) == items and len(set(ids)) == items
    print(f"bulk fetch of {items} items, limit drain {drain:g}/s burst {burst} (fast mode):")
    print(f"  b24client:          {elapsed:7.2f} s, {requests} requests, {refused} x 503 at the "
          f"portal, {client.stats['limited']} seen by the client, items complete: {ok}")
    print(f"  theoretical minimum:{minimum:7.2f} s for {requests} requests")
    print(f"  ratio:              {elapsed / minimum if minimum else float('nan'):7.3f}x (target <= 1.05x)")
    bench_fast_bitrix24(items, drain, burst)


def bench_fast_bitrix24(items: int, drain: float, burst: int, runs: int = 3) -> None:
    """fast_bitrix24's get_all against the same mock, a few runs: time and how much it got."""
    try:
        import fast_bitrix24
    except ImportError:
        print("  fast_bitrix24:      skipped (not installed; `make bench` installs it)")
        return
    import logging
    from importlib.metadata import version

    from b24client.testing import mock_portal

    logging.getLogger("asyncio").setLevel(logging.CRITICAL)  # its abandoned tasks' tracebacks
    logging.getLogger("fast_bitrix24").setLevel(logging.CRITICAL)
    complete = 0
    for run in range(runs):
        with mock_portal(dataset_size=items, drain=drain, burst=burst) as portal:
            bx = fast_bitrix24.Bitrix(portal.webhook_url, ssl=False, verbose=False)
            start = time.perf_counter()
            try:
                got, error = bx.get_all("crm.item.list", {"entityTypeId": 2}), ""
            except Exception as exc:  # noqa: BLE001 (its failure is what we report)
                got, error = [], f"{type(exc).__name__}: {exc}"[:120]
            elapsed = time.perf_counter() - start
            rows = got.get("items", got) if isinstance(got, dict) else got
            ids = {int(r["id"]) for r in rows if isinstance(r, dict) and "id" in r}
            complete += len(ids) == items
            print(f"  fast_bitrix24 {version('fast_bitrix24')} get_all, run {run + 1}: {elapsed:7.2f} s, "
                  f"{len(portal.requests)} requests, {portal.count_503} x 503, "
                  f"{len(ids)}/{items} items{' - ' + error if error else ''}")
    print(f"  fast_bitrix24 success rate: {complete}/{runs} runs returned every item")


def time_until_listening(source: list[str], rounds: int = 3) -> float:
    """Median seconds from starting `b24gen mock` to its first line (printed once the
    portal listens)."""
    import statistics
    import subprocess

    times = []
    for _ in range(rounds):
        command = [sys.executable, "-m", "generator.cli", "mock", *source, "--port", "0"]
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        line = proc.stdout.readline() if proc.stdout else ""
        times.append(time.perf_counter() - start)
        proc.terminate()
        proc.wait(timeout=30)
        if "mock portal on" not in line:
            raise SystemExit(f"b24gen mock {' '.join(source)} did not start: {line!r}")
    return statistics.median(times)


def bench_mock_start() -> None:
    """How long `b24gen mock` takes to listen: the seed specs and the full English docs."""
    print("time until `b24gen mock` listens (median of 3):")
    specs = time_until_listening(["--specs", "specs"])
    print(f"  specs/ ({len(list((ROOT / 'specs').rglob('*.md')))} files):   {specs:7.2f} s "
          "(target <= 1 s)")
    docs = SHARED / "corpus" / "en" / "api-reference"
    if not docs.is_dir():
        print(f"  full English docs: skipped ({docs} is absent)")
        return
    full = time_until_listening(["--docs", str(docs)])
    print(f"  full English docs:  {full:7.2f} s (target <= 15 s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--only", choices=["corpus", "overhead", "bulk", "mock"])
    args = parser.parse_args()
    if args.only in (None, "corpus"):
        bench_corpus()
    if args.only in (None, "mock"):
        bench_mock_start()
    if args.only in (None, "overhead"):
        bench_overhead(args.calls)
    if args.only in (None, "bulk"):
        bench_bulk(args.items)


if __name__ == "__main__":
    main()
