"""HJS protocol round trips per second against a local sandbox (no injected latency).

A round trip is one HjsClient call: build the envelope (JSON, 3DES, Base64, signature), POST it, and
on the answer verify the signature, check timestamp and requestNonce, decrypt, parse. Measured with
one client thread and with eight sharing one client, next to two baselines run in the same process:

- raw HTTP: GET /healthz on the same sandbox with a plain requests session (what HTTP and the
  server framework cost with no protocol at all);
- protocol only: the four envelope steps of a round trip (seal request, open it as the server does,
  seal the answer, open it as the client does) in-process, no network.

--profile adds a cProfile split of the one-thread run: crypto, signing, JSON/parsing, HTTP (which
includes waiting for the server), plus the server's own processing time read from its log.

    .venv/bin/python bench/bench_protocol_roundtrips.py [--seconds 3] [--threads 1 8] [--profile]

Not a test: it prints figures and asserts nothing about them.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "plugins")]

import requests  # noqa: E402

from hjs_operators.client import HjsClient, RetryPolicy, Timeouts  # noqa: E402
from hjs_operators.protocol import ProtocolSettings, envelope  # noqa: E402
from sandbox.admin_client import SandboxAdmin  # noqa: E402

# Bench-only secrets, as in the test fixtures: never a real partner's.
MERCHANT_ID = "ZWBENCH1"
KEY = "ZwSandboxBenchKey24Byte!"
IV = "zwIvBnch"
PRODUCT = {
    "productCode": "BENCH1",
    "productName": "稳盈一号·90天",
    "channel": "1",
    "totalAmount": "1000000.00",
    "shareAmount": "5000.00",
    "annualRate": "0.0450",
    "dayCount": "ACT/365",
    "valueDate": "2026-01-01",
    "maturityDate": "2026-12-31",
}


@dataclass
class Sandbox:
    base_url: str
    process: subprocess.Popen
    log_path: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def start_sandbox(data_dir: Path) -> Sandbox:
    """`python -m sandbox` on a free port, secrets through the environment, logging at info."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, HJS_SANDBOX_KEY=KEY, HJS_SANDBOX_IV=IV)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(REPO / "plugins"), env.get("PYTHONPATH", "")])
    log_path = data_dir / "sandbox.log"
    command = [
        sys.executable, "-m", "sandbox", "--port", str(port), "--data-dir", str(data_dir),
        "--merchant-id", MERCHANT_ID, "--log-level", "info",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    sandbox = Sandbox(f"http://127.0.0.1:{port}", process, log_path)
    admin = SandboxAdmin(sandbox.base_url)
    deadline = time.monotonic() + 30
    while not admin.healthy(timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            sandbox.stop()
            raise SystemExit(f"sandbox did not start:\n{log_path.read_text()[-2000:]}")
        time.sleep(0.05)
    admin.reset()
    admin.upsert_products([PRODUCT])
    return sandbox


@dataclass
class Result:
    label: str
    threads: int
    calls: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.calls / self.seconds

    def row(self) -> str:
        lat = sorted(self.latencies_ms)
        p50 = statistics.median(lat)
        p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))]
        return (
            f"{self.label:<34} {self.threads:>7} {self.calls:>7} {self.seconds:>7.2f} "
            f"{self.rate:>9.0f} {p50:>7.2f} {p95:>7.2f}"
        )


def run(label: str, threads: int, seconds: float, make_call: Callable[[], Callable[[], object]]) -> Result:
    """Each thread repeats its call until `seconds` have passed; latencies per call."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    start_gate = threading.Barrier(threads + 1)
    stop = threading.Event()

    def worker(index: int) -> None:
        call = make_call()
        call()  # warm-up: connection, first cipher objects
        start_gate.wait()
        mine = latencies[index]
        while not stop.is_set():
            t0 = time.perf_counter()
            call()
            mine.append((time.perf_counter() - t0) * 1000)

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    start_gate.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - began  # includes the calls in flight at the stop: counted too
    flat = [x for per in latencies for x in per]
    return Result(label, threads, len(flat), elapsed, flat)


def protocol_only(settings: ProtocolSettings) -> Callable[[], object]:
    """The envelope work of one round trip, both ends, with no network."""

    def call() -> object:
        request = envelope.build_request("product.query", {"productCode": "BENCH1"}, settings)
        opened = envelope.open_request(request, settings)
        answer = envelope.build_response(opened, envelope.SUCCESS, "success", PRODUCT, settings)
        return envelope.open_response(answer, settings, service="product.query", request_nonce=request["nonce"])

    return call


def profile_split(client: HjsClient, calls: int, log_path: Path) -> list[tuple[str, float]]:
    """cProfile of `calls` product.query round trips, cumulative time grouped by what it is for."""
    profiler = cProfile.Profile()
    log_offset = log_path.stat().st_size
    began = time.perf_counter()
    profiler.enable()
    for _ in range(calls):
        client.query_product("BENCH1")
    profiler.disable()
    total = time.perf_counter() - began
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]

    def cumulative(module_part: str, name: str) -> float:
        return sum(v[3] for (file, _, func), v in stats.items() if module_part in file and func == name)

    crypto = cumulative("protocol/crypto.py", "encrypt_text") + cumulative("protocol/crypto.py", "decrypt_text")
    signing = cumulative("protocol/signing.py", "sign") + cumulative("protocol/signing.py", "verify")
    http = cumulative("requests/sessions.py", "post")
    build = cumulative("protocol/envelope.py", "build_request")
    open_ = cumulative("protocol/envelope.py", "open_response")
    parse = cumulative("client/results.py", "parse")
    other_envelope = (build + open_) - crypto - signing
    # The server's own processing per call (gateway + service), from its log lines; the rest of the
    # HTTP time is the two HTTP stacks, the loopback and uvicorn.
    text = log_path.read_bytes()[log_offset:].decode("utf-8", "replace")
    server_ms = [float(m) for m in re.findall(r"service=product\.query .*?duration_ms=([0-9.]+)", text)]
    server = sum(server_ms) / 1000
    return [
        ("3DES encrypt + decrypt (both ways, client side)", crypto),
        ("signatures: sign + verify (client side)", signing),
        ("envelope JSON, nonce, checks (client side)", other_envelope),
        ("result parsing (client side)", parse),
        ("HTTP round trip (requests, loopback, uvicorn, server)", http),
        ("  of which the sandbox's own processing", server),
        ("total wall time", total),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each measurement")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--profile", action="store_true", help="add a cProfile split of the one-thread run")
    args = parser.parse_args(argv)

    settings = ProtocolSettings.from_strings(merchant_id=MERCHANT_ID, key=KEY, iv=IV)
    with tempfile.TemporaryDirectory(prefix="hjs-bench-") as tmp:
        sandbox = start_sandbox(Path(tmp))
        try:
            clients: list[HjsClient] = []

            def shared_client() -> HjsClient:
                client = HjsClient(
                    sandbox.base_url, settings, timeouts=Timeouts(2.0, 10.0), retry=RetryPolicy(max_attempts=1)
                )
                clients.append(client)
                return client

            results = []
            healthz = sandbox.base_url + "/healthz"

            def raw_http() -> Callable[[], object]:
                session = requests.Session()
                return lambda: session.get(healthz, timeout=(2.0, 10.0)).raise_for_status()

            results.append(run("baseline: raw HTTP GET /healthz", 1, args.seconds, raw_http))
            results.append(run("baseline: protocol only, no HTTP", 1, args.seconds, lambda: protocol_only(settings)))
            for threads in args.threads:
                client = shared_client()  # one client (one pooled session) shared by all threads
                results.append(
                    run(
                        "round trip: product.query",
                        threads,
                        args.seconds,
                        lambda c=client: lambda: c.query_product("BENCH1"),
                    )
                )
                results.append(run("round trip: system.ping", threads, args.seconds, lambda c=client: c.ping))

            print(
                f"HJS protocol round trips, sandbox on {sandbox.base_url}, no injected latency, {os.cpu_count()} CPUs"
            )
            print(
                f"{'measurement':<34} {'threads':>7} {'calls':>7} {'seconds':>7} "
                f"{'calls/s':>9} {'p50 ms':>7} {'p95 ms':>7}"
            )
            for result in results:
                print(result.row())
            raw, proto = results[0].rate, results[1].rate
            one = next(r for r in results if r.threads == 1 and "product.query" in r.label)
            print(
                f"\none-thread product.query round trip = {raw / one.rate:.2f}x the time of a raw HTTP call; "
                f"the envelope work alone runs {proto:.0f}/s ({1000 / proto:.2f} ms per round trip)"
            )
            if args.profile:
                calls = max(200, int(one.rate * 2))
                split = profile_split(shared_client(), calls, sandbox.log_path)
                total = split[-1][1]
                print(
                    f"\ncProfile of {calls} one-thread product.query round trips "
                    "(cumulative seconds, share of wall time):"
                )
                for label, seconds in split:
                    print(f"  {label:<56} {seconds:>7.3f}  {100 * seconds / total:>5.1f}%")
                print("  (profiling slows the Python parts, so shares matter more than seconds)")
            for client in clients:
                client.close()
        finally:
            sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
