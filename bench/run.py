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


BASELINE = """
import sys
from pathlib import Path
from markdown_it import MarkdownIt
sys.path.insert(0, sys.argv[2])
from generator.read import expand
md = MarkdownIt("commonmark")
for page in expand([Path(sys.argv[1])]):
    md.parse(page.read_text(encoding="utf-8"))
"""


def child(command: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process (`ok`: the exit statuses
    that mean it did its work; `import` exits 1 or 2 on what it found in the docs)."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in ok:
        raise SystemExit(f"failed ({status}): {' '.join(command)}")
    return seconds, usage.ru_maxrss / 1024


def largest_section(root: Path) -> Path:
    """The folder of the pages (`api-reference` of the docs) with the most pages below
    it: its pages feed the biggest modules (crm in the Bitrix24 docs)."""
    from generator.read import expand

    pages = root / "api-reference" if (root / "api-reference").is_dir() else root
    folders = [f for f in sorted(pages.iterdir()) if f.is_dir() and f.name[0] not in "_."]
    return max(folders, key=lambda f: len(expand([f])), default=root)


def edit_one_page(root: Path) -> Path:
    """Add a sentence below the first page's title: one method's docs change."""
    from generator.read import expand

    for page in expand([root]):
        lines = page.read_text(encoding="utf-8").split("\n")
        titles = [i for i, line in enumerate(lines) if line.startswith("# ")]
        if titles:
            lines.insert(titles[0] + 1, "\nOne sentence more, added by the benchmark.\n")
            page.write_text("\n".join(lines), encoding="utf-8")
            return page
    raise SystemExit(f"no page with a title below {root}")


def bench_regenerate(rounds: int = 3) -> None:
    """`b24gen regenerate` cold, no-op and after one page changed, and `b24gen import`,
    against markdown-it-py's commonmark parse of the same pages (each a fresh process,
    paired per round, medians), for the seed specs and the full English docs."""
    import shutil
    import statistics
    import tempfile

    b24gen = str(Path(sys.executable).parent / "b24gen")
    sources = [("seed specs", ROOT / "specs", "specs")]
    docs = SHARED / "corpus" / "en"
    if docs.is_dir():
        sources.append(("full English docs", docs, "docs"))
    else:
        print(f"regenerate, full docs: skipped ({docs} is absent)")
    header = (f"{'input':18} {'pages':>5} {'baseline':>9} {'cold':>13} {'no-op':>13} "
              f"{'one change':>13} {'in largest':>13} {'import':>13} {'peak RSS':>9} workers")
    print(f"regenerate (median of {rounds} paired rounds; ratio to baseline):")
    print(header)
    from generator import workers
    from generator.read import expand

    workers.allow()  # as the b24gen command does: the column shows what it uses

    for title, source, kind in sources:
        rows: dict[str, list[float]] = {k: [] for k in
                                        ("base", "cold", "noop", "one", "big", "import", "rss")}
        for _ in range(rounds):
            with tempfile.TemporaryDirectory() as tmp:
                copy = Path(tmp) / "in"
                shutil.copytree(source, copy)
                out = Path(tmp) / "out"
                args = ["--docs", str(copy)] if kind == "docs" else [str(copy)]
                regen = [b24gen, "regenerate", *args, "--out", str(out)]
                rows["base"].append(child([sys.executable, "-c", BASELINE, str(copy),
                                           str(ROOT)], ROOT)[0])
                seconds, rss = child(regen, Path(tmp))
                rows["cold"].append(seconds)
                rows["rss"].append(rss)
                rows["noop"].append(child(regen, Path(tmp))[0])
                edit_one_page(copy)
                rows["one"].append(child(regen, Path(tmp))[0])
                edit_one_page(largest_section(copy))
                rows["big"].append(child(regen, Path(tmp))[0])
                pages = copy / "api-reference" if (copy / "api-reference").is_dir() else copy
                rows["import"].append(child([b24gen, "import", str(pages), "--to",
                                             str(Path(tmp) / "specs")], Path(tmp),
                                            ok=(0, 1, 2))[0])
        base = statistics.median(rows["base"])

        def cell(key: str, against: str = "base") -> str:
            ratio = statistics.median(a / b for a, b in zip(rows[key], rows[against]))
            return f"{statistics.median(rows[key]):6.2f}s {ratio:4.2f}x"

        pages = len(expand([source]))
        print(f"{title:18} {pages:5d} {base:8.2f}s {cell('cold'):>13} "
              f"{cell('noop', 'cold'):>13} {cell('one', 'cold'):>13} {cell('big', 'cold'):>13} "
              f"{cell('import'):>13} "
              f"{max(rows['rss']):6.0f}MiB {workers.count_for(pages):7d}")
    print("  ratios: cold and import to the baseline, no-op and one change to cold; "
          "targets: cold <= 1.0x, no-op <= 0.05x, one change <= 0.10x, import <= 1.0x, "
          "peak RSS (main process) <= 1 GiB")
    print("  one change: a sentence below the title of the first page; in largest: the "
          "same in the first page of the section with the most pages (the biggest module)")


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


class MockProcess:
    """`b24gen mock` in a process of its own, so the portal's threads do not share the
    GIL with the clients measured; no rate limit."""

    def __init__(self, dataset: int = 0) -> None:
        import subprocess

        command = [sys.executable, "-m", "generator.cli", "mock", "--specs", "specs",
                   "--port", "0", "--dataset", str(dataset), "--drain", "1e9",
                   "--burst", "1e9"]
        self.proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        first = self.proc.stdout.readline() if self.proc.stdout else ""
        second = self.proc.stdout.readline() if self.proc.stdout else ""
        if "mock portal on" not in first:
            self.close()
            raise SystemExit(f"b24gen mock did not start: {first!r}")
        self.webhook = second.split()[-1]

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def rates_table(title: str, names: list[str], rounds: list[dict[str, float]],
                ratios: list[tuple[str, str]]) -> None:
    import statistics

    print(title)
    print("  round " + "".join(f"{n:>22}" for n in names))
    for i, r in enumerate(rounds, 1):
        print(f"  {i:5} " + "".join(f"{r[n]:>18.0f} c/s" for n in names))
    for a, b in ratios:
        median = statistics.median(r[a] / r[b] for r in rounds)
        print(f"  median ratio {a} / {b}: {median:.2f}x")


def bench_throughput(calls: int, rounds: int, concurrency: int = 8) -> None:
    """Calls a second against the same mock portal (in its own process): the generated
    client, raw httpx and fast_bitrix24, sync one after another and async with
    `concurrency` tasks, paired per round."""
    import asyncio
    import logging

    import httpx

    import b24client

    try:
        import fast_bitrix24
    except ImportError:
        fast_bitrix24 = None
        print("throughput: fast_bitrix24 not installed (`make bench` installs it)")
    logging.getLogger("fast_bitrix24").setLevel(logging.CRITICAL)
    method, params = "tasks.task.list", {"filter": {"ID": 3}}
    unlimited = b24client.Limits(drain=1e9, burst=10**9)
    portal = MockProcess()
    url = portal.webhook + method
    try:
        b24 = b24client.Bitrix24.from_webhook(portal.webhook, allow_http=True, limits=unlimited)
        raw = httpx.Client()
        sync: dict[str, object] = {
            "b24client": lambda: b24.call(method, params),
            "raw httpx": lambda: raw.post(url, json=params).json()["result"],
        }
        if fast_bitrix24 is not None:
            # Its own limits lifted (respect_velocity_policy=False fails with KeyError in
            # 1.8.14: the per-method throttler is then never made).
            fb = fast_bitrix24.Bitrix(portal.webhook, verbose=False, ssl=False,
                                      request_pool_size=10**6, requests_per_second=1e6)
            sync["fast_bitrix24"] = lambda: fb.call(method, params, raw=True)["result"]
        sync_rounds = []
        for fn in sync.values():
            fn()  # warm up
        for _ in range(rounds):
            sync_rounds.append({name: calls / timed(lambda f=fn: [f() for _ in range(calls)])
                                for name, fn in sync.items()})
        rates_table(f"sync calls a second ({calls} calls a round, loopback mock in its own "
                    "process):", list(sync), sync_rounds,
                    [("b24client", "raw httpx")]
                    + ([("b24client", "fast_bitrix24")] if fast_bitrix24 else []))
        b24.close()
        raw.close()
        asyncio.run(async_throughput(portal.webhook, method, params, calls, rounds,
                                     concurrency, fast_bitrix24))
        import importlib.util

        if importlib.util.find_spec("sniffio") is None:
            print("  note: sniffio is not installed; httpcore tries to import it on every "
                  "async request (a failed import scans sys.path each time), which slows "
                  "httpx's async transport, raw or in b24client")
    finally:
        portal.close()


async def async_throughput(webhook, method, params, calls, rounds, concurrency,
                           fast_bitrix24) -> None:
    import asyncio

    import httpx

    import b24client

    unlimited = b24client.Limits(drain=1e9, burst=10**9)
    b24 = b24client.AsyncBitrix24.from_webhook(webhook, allow_http=True, limits=unlimited)
    b24_aio = b24client.AsyncBitrix24.from_webhook(webhook, allow_http=True,
                                                   limits=unlimited, transport="aiohttp")
    raw = httpx.AsyncClient()
    url = webhook + method

    async def raw_call():
        return (await raw.post(url, json=params)).json()["result"]

    clients = {
        "b24client": lambda: b24.call(method, params),
        "b24client aiohttp": lambda: b24_aio.call(method, params),
        "raw httpx": raw_call,
    }
    session = None
    if fast_bitrix24 is not None:
        import aiohttp

        session = aiohttp.ClientSession()
        fb = fast_bitrix24.BitrixAsync(webhook, verbose=False, ssl=False, client=session,
                                       request_pool_size=10**6, requests_per_second=1e6)
        clients["fast_bitrix24"] = lambda: fb.call(method, params, raw=True)

    async def rate(fn) -> float:
        per_task = calls // concurrency

        async def worker():
            for _ in range(per_task):
                await fn()

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return per_task * concurrency / (time.perf_counter() - start)

    for fn in clients.values():
        await fn()  # warm up
    results = []
    for _ in range(rounds):
        results.append({name: await rate(fn) for name, fn in clients.items()})
    ratios = [("b24client", "raw httpx"), ("b24client aiohttp", "raw httpx")]
    if fast_bitrix24 is not None:
        ratios += [("b24client", "fast_bitrix24"), ("b24client aiohttp", "fast_bitrix24")]
    rates_table(f"async calls a second ({concurrency} tasks, {calls} calls a round):",
                list(clients), results, ratios)
    await b24.aclose()
    await b24_aio.aclose()
    await raw.aclose()
    if session is not None:
        await session.close()


IMPORT_PROBE = (
    "import time; t = time.perf_counter(); import {module}; "
    "print(time.perf_counter() - t)"
)


def import_seconds(module: str, cwd: Path) -> float:
    """One import in a fresh interpreter, with bytecode caching on as users have it
    (pip compiles installed packages; this machine sets PYTHONDONTWRITEBYTECODE)."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run([sys.executable, "-X", "frozen_modules=on", "-c",
                          IMPORT_PROBE.format(module=module)], cwd=cwd, check=True,
                         capture_output=True, text=True, env=env).stdout
    return float(out.strip())


def bench_import(rounds: int = 11) -> None:
    """`import b24client` of the package built from the whole English docs against
    `import httpx`, each in a fresh interpreter, paired rounds, medians (target: 2x)."""
    import statistics
    import tempfile

    docs = SHARED / "corpus" / "en"
    if not docs.exists():
        print("import time: skipped (../shared/corpus/en is absent)")
        return
    from generator import pipeline

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "full"
        pipeline.regenerate(None, out, docs=docs)
        import_seconds("b24client", out)  # writes the bytecode, as `pip install` does
        pairs = [(import_seconds("b24client", out), import_seconds("httpx", out))
                 for _ in range(rounds)]
    ours = statistics.median(p[0] for p in pairs)
    base = statistics.median(p[1] for p in pairs)
    ratio = statistics.median(p[0] / p[1] for p in pairs)
    print(f"import time, full English docs package (median of {rounds} paired rounds):")
    print(f"  import httpx:     {base * 1000:7.1f} ms")
    print(f"  import b24client: {ours * 1000:7.1f} ms")
    print(f"  ratio:            {ratio:7.2f}x (target <= 2x)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=["corpus", "overhead", "bulk", "mock", "throughput",
                                           "import", "regenerate"])
    args = parser.parse_args()
    if args.only in (None, "regenerate"):
        bench_regenerate()
    if args.only in (None, "corpus"):
        bench_corpus()
    if args.only in (None, "import"):
        bench_import()
    if args.only in (None, "mock"):
        bench_mock_start()
    if args.only in (None, "overhead"):
        bench_overhead(args.calls)
    if args.only in (None, "throughput"):
        bench_throughput(min(args.calls, 1000), args.rounds)
    if args.only in (None, "bulk"):
        bench_bulk(args.items)


if __name__ == "__main__":
    main()
