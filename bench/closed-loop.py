#!/usr/bin/env python3
"""Closed-loop HTTP/1.1 load for bench/adaptive.sh: CONNECTIONS keep-alive
connections each send GET PATH, wait for the answer, and go again; after a 503 a
connection pauses BACKOFF_MS (a client honouring Retry-After, scaled down). Prints
one JSON line: admitted (200) and shed (503) requests per second, and the p50/p99
latency of admitted requests only (wrk mixes the fast 503s into its percentiles).

    closed-loop.py HOST PORT PATH CONNECTIONS SECONDS BACKOFF_MS
"""
import asyncio
import json
import sys
import time


async def connection(host, port, path, until, backoff, admitted, counts):
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.monotonic() < until:
            started = time.monotonic()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            if length:
                await reader.readexactly(length)
            elapsed = time.monotonic() - started
            status = int(status_line.split()[1])
            counts[status] = counts.get(status, 0) + 1
            if status == 200:
                admitted.append(elapsed)
            elif status == 503:
                await asyncio.sleep(backoff)
    finally:
        writer.close()


async def main():
    host, port, path, connections, seconds, backoff_ms = sys.argv[1:7]
    seconds = float(seconds)
    until = time.monotonic() + seconds
    admitted, counts = [], {}
    await asyncio.gather(
        *(
            connection(host, int(port), path, until, int(backoff_ms) / 1000, admitted, counts)
            for _ in range(int(connections))
        )
    )
    admitted.sort()
    pick = lambda q: admitted[min(len(admitted) - 1, int(len(admitted) * q))] * 1000 if admitted else None
    print(
        json.dumps(
            {
                "admitted_rps": round(len(admitted) / seconds, 1),
                "shed_rps": round(counts.get(503, 0) / seconds, 1),
                "other": sum(v for k, v in counts.items() if k not in (200, 503)),
                "p50_ms": round(pick(0.5), 1) if admitted else None,
                "p99_ms": round(pick(0.99), 1) if admitted else None,
            }
        )
    )


asyncio.run(main())
