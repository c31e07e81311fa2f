"""The web app (``referral serve``) under load: plan pages (``POST /route``) and
``POST /api/route`` per second, with p50 / p99 latency, at 1, 4 and 16 concurrent clients,
beside the library's own ``Directory.route`` in the same run (the server's overhead as a
ratio).

A real uvicorn server runs in a child process on a free loopback port, with its access log
off; the clients are threads, each with its own ``httpx.Client`` (keep-alive). Each level is
bounded both in requests and in seconds, so a slow machine gives fewer requests, never a
longer run. The notes are the README's three headline cases, taken in turn.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

NOTES = (
    ("80代の母と無職の50代の息子。息子は何年も部屋から出てこない", "戸部本町"),
    ("中学生の女の子が母親の介護をしていて学校を休みがち", "旭区鶴ケ峰1丁目"),
    ("隣の家がゴミ屋敷で悪臭がする。住んでいるのは一人暮らしの高齢男性", "220-0013"),
)
CLIENTS = (1, 4, 16)
SERVER = (
    "import sys, uvicorn; from referral import Directory; from referral.web import create_app; "
    "uvicorn.run(create_app(Directory.load()), host='127.0.0.1', port=int(sys.argv[1]), "
    "log_level='warning', access_log=False)"
)
START_TIMEOUT_S = 120.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _start(port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "REFERRAL_CACHE_DIR": "off"}
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import httpx  # noqa: PLC0415 - the web extra

    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/areas?q=西", timeout=2).is_success:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def _request(client: Any, endpoint: str, i: int) -> None:
    note, area = NOTES[i % len(NOTES)]
    if endpoint == "page":
        r = client.post("/route", data={"note": note, "area": area, "lang": "ja"})
    else:
        r = client.post("/api/route", json={"note": note, "area": area})
    r.raise_for_status()


def _level(base: str, endpoint: str, clients: int, count: int, seconds: float) -> dict[str, Any]:
    """``count`` requests (at most ``seconds``) spread over ``clients`` threads."""
    import httpx  # noqa: PLC0415

    latencies: list[float] = []
    lock = threading.Lock()
    next_i = 0
    stop = time.monotonic() + seconds

    def worker() -> None:
        nonlocal next_i
        with httpx.Client(base_url=base, timeout=60) as client:
            while time.monotonic() < stop:
                with lock:
                    if next_i >= count:
                        return
                    i = next_i
                    next_i += 1
                t = time.perf_counter()
                _request(client, endpoint, i)
                with lock:
                    latencies.append(time.perf_counter() - t)

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - start
    ms = sorted(x * 1000 for x in latencies)
    return {
        "network": f"{endpoint}×{clients}",
        "endpoint": endpoint,
        "clients": clients,
        "requests": len(ms),
        "per_s": len(ms) / elapsed if elapsed else 0.0,
        "p50_ms": statistics.median(ms) if ms else 0.0,
        "p99_ms": ms[min(len(ms) - 1, int(len(ms) * 0.99))] if ms else 0.0,
    }


def _library_ms(runs: int) -> list[float]:
    from referral import Directory  # noqa: PLC0415

    d = Directory.load()
    for note, area in NOTES:
        d.route(note, area=area)  # warm
    out = []
    for i in range(runs):
        note, area = NOTES[i % len(NOTES)]
        t = time.perf_counter()
        d.route(note, area=area)
        out.append((time.perf_counter() - t) * 1000)
    return sorted(out)


def run(
    *, quick: bool = False, clients: Sequence[int] = CLIENTS, per_level: int | None = None
) -> dict[str, Any]:
    count = per_level or (60 if quick else 600)
    seconds = 15.0 if quick else 60.0
    library = _library_ms(count)
    lib_p50 = statistics.median(library)
    port = _free_port()
    proc = _start(port)
    try:
        base = f"http://127.0.0.1:{port}"
        for endpoint in ("page", "api"):  # warm the server's matcher and caches
            _level(base, endpoint, 1, 3, seconds)
        rows = [
            _level(base, endpoint, n, count, seconds)
            for endpoint in ("page", "api")
            for n in clients
        ]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    for row in rows:
        row["overhead_ratio"] = row["p50_ms"] / lib_p50 if lib_p50 else 0.0
    return {
        "library_p50_ms": lib_p50,
        "library_p99_ms": library[min(len(library) - 1, int(len(library) * 0.99))],
        "rows": rows,
        "quick": quick,
    }


def report(result: dict[str, Any]) -> str:
    lines = [
        f"library Directory.route: p50 {result['library_p50_ms']:.1f} ms, "
        f"p99 {result['library_p99_ms']:.1f} ms (the baseline, same run)",
        f"{'endpoint':<10} {'clients':>7} {'requests':>8} {'per s':>7} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'p50 ×library':>12}",
    ]
    for row in result["rows"]:
        name = "plan page" if row["endpoint"] == "page" else "/api/route"
        lines.append(
            f"{name:<10} {row['clients']:>7} {row['requests']:>8} {row['per_s']:>7.1f} "
            f"{row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['overhead_ratio']:>11.1f}×"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run(quick="--quick" in sys.argv)))
