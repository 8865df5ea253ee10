"""`make bench`: speed measured against baselines run in the same process, printed as ratios.

Nothing here asserts a wall-clock limit; it prints numbers for people to read.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


class _Answer(BaseHTTPRequestHandler):
    body = json.dumps({"result": True, "time": {"operating": 0}}).encode()

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


def bench_overhead(calls: int) -> None:
    import httpx

    import b24client

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/rest/1/secret/"
    payload = {"taskId": 8017}
    raw = httpx.Client()
    unlimited = b24client.Limits(drain=1e9, burst=10**9)
    client = b24client.Bitrix24.from_webhook(base, allow_http=True, limits=unlimited)

    def raw_calls() -> None:
        for _ in range(calls):
            raw.post(base + "tasks.task.approve", json=payload).json()["result"]

    def client_calls() -> None:
        for _ in range(calls):
            client.call("tasks.task.approve", payload)

    raw_calls(), client_calls()  # warm up connections
    t_raw, t_client = [], []
    for _ in range(5):  # interleaved rounds so both see the same machine load
        t_raw.append(timed(raw_calls))
        t_client.append(timed(client_calls))
    server.shutdown()
    r, c = min(t_raw), min(t_client)
    print(f"per-call overhead ({calls} calls, loopback, best of 5):")
    print(f"  raw httpx:        {r / calls * 1e6:8.1f} us/call")
    print(f"  generated client: {c / calls * 1e6:8.1f} us/call")
    print(f"  ratio:            {c / r:8.3f}x (target <= 1.10x)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--only", choices=["corpus", "overhead", "bulk"])
    args = parser.parse_args()
    if args.only in (None, "corpus"):
        bench_corpus()
    if args.only in (None, "overhead"):
        bench_overhead(args.calls)


if __name__ == "__main__":
    main()
