"""A small HTTP load generator (asyncio, raw sockets): run as its own process by ``bench/pages.py``.

    .venv/bin/python bench/loadgen.py --url http://127.0.0.1:8765/api/customers/X/rating/ \
        --header "Authorization: Token …" [--concurrency 8] [--seconds 20] [--warmup 2]

Keeps ``--concurrency`` requests in flight for ``--seconds`` (after ``--warmup`` seconds not counted),
one connection per request (gunicorn's sync workers close after each response), and prints one JSON
line: requests, errors, requests per second, latency median and p95, and this process's own CPU
seconds (so the reader can see what the generator itself took from the machine's cores).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import resource
import statistics
import time
from urllib.parse import urlsplit


async def _request(host: str, port: int, raw: bytes) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(raw)
        await writer.drain()
        data = await reader.read()  # the server closes after the response
    finally:
        writer.close()
    return int(data[9:12]) if len(data) >= 12 else 0


async def _run(url: str, headers: list[str], concurrency: int, seconds: float, warmup: float) -> dict:
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port or 80
    lines = [f"GET {parts.path}{'?' + parts.query if parts.query else ''} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [*headers, "Connection: close", "", ""]
    raw = "\r\n".join(lines).encode()
    started = time.perf_counter()
    counting_from = started + warmup
    stop = counting_from + seconds
    latencies: list[float] = []
    errors = 0

    async def client() -> None:
        nonlocal errors
        while True:
            sent = time.perf_counter()
            if sent >= stop:
                return
            try:
                status = await _request(host, port, raw)
            except OSError:
                status = 0
            done = time.perf_counter()
            if sent >= counting_from:
                if status == 200:
                    latencies.append(done - sent)
                else:
                    errors += 1

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*(client() for _ in range(concurrency)))
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    elapsed = time.perf_counter() - counting_from
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "seconds": elapsed,
        "rps": len(latencies) / elapsed if elapsed > 0 else 0.0,
        "median_ms": statistics.median(latencies) * 1000 if latencies else None,
        "p95_ms": latencies[math.ceil(0.95 * len(latencies)) - 1] * 1000 if latencies else None,
        "cpu_s": (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime),
        "concurrency": concurrency,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    args = parser.parse_args()
    result = asyncio.run(_run(args.url, args.header, args.concurrency, args.seconds, args.warmup))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
