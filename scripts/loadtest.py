#!/usr/bin/env python3
"""Load test: gunicorn with production settings on PostgreSQL, driven from loopback only.

Run with `make loadtest` (which starts a throwaway PostgreSQL through scripts/with-postgres).
Migrates, loads the demo content, collects static files into a temporary directory, starts
gunicorn (2 workers, DEBUG off, a generated SECRET_KEY) on 127.0.0.1, then drives a mix of
pages from 50 concurrent connections for 60 seconds and reports requests, errors, latency
percentiles and the workers' memory. Exits non-zero on any error. Bounded in time and in
requests; every address is 127.0.0.1.
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only, by design
MAX_REQUESTS = 2_000_000  # a hard stop whatever the duration


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def get(port, path, timeout=10):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def wait_until_up(port, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if get(port, "/healthz/", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not become healthy in time")


def discover_paths(port):
    """The mix: home, lists, every briefing and course page, theme pages, searches and a static file."""
    _, home = get(port, "/")
    _, briefings = get(port, "/briefings/")
    _, training = get(port, "/training/")
    _, themes = get(port, "/themes/")
    detail = sorted(set(re.findall(r'href="(/briefings/[a-z0-9-]+/)"', briefings)))
    courses = sorted(set(re.findall(r'href="(/training/[a-z0-9-]+/)"', training)))
    theme_pages = sorted(set(re.findall(r'href="(/themes/[a-z0-9-]+/)"', themes)))
    static = sorted(set(re.findall(r'href="(/static/[^"]+\.css)"', home)))
    if not (detail and courses and static):
        raise SystemExit("could not find briefing, course and static URLs in the demo site")
    searches = ["/search/?q=neglect", "/search/?q=disguised+compliance", "/search/?q=graded+care+profile"]
    # Weighted roughly as readers arrive: briefing pages most, then lists, search and the rest.
    return (
        ["/"] * 4 + ["/briefings/"] * 3 + ["/training/"] * 2 + ["/themes/"] + detail * 2 + courses + theme_pages
        + searches + static
    )  # fmt: skip


def worker_pids(master):
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return [int(pid) for pid in children]


def rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def sample_memory(master):
    return {pid: rss_mb(pid) for pid in worker_pids(master)}


class Driver:
    def __init__(self, port, paths, connections, duration):
        self.port, self.paths, self.connections, self.duration = port, paths, connections, duration
        self.lock = threading.Lock()
        self.latencies, self.errors, self.statuses = [], [], {}
        self.stop_at = 0.0
        self.count = 0

    def run_one(self, index):
        conn = None
        n = index
        while time.monotonic() < self.stop_at:
            with self.lock:
                if self.count >= MAX_REQUESTS:
                    return
                self.count += 1
            path = self.paths[n % len(self.paths)]
            n += 7  # a different walk through the mix for each connection
            started = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
                conn.request("GET", path, headers={"Connection": "keep-alive"})
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close" or response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as error:
                with self.lock:
                    self.errors.append(f"{path}: {type(error).__name__}: {error}")
                if conn is not None:
                    conn.close()
                conn = None
                continue
            elapsed = time.perf_counter() - started
            with self.lock:
                self.latencies.append(elapsed)
                self.statuses[status] = self.statuses.get(status, 0) + 1
                if not 200 <= status < 400:
                    self.errors.append(f"{path}: HTTP {status}")
        if conn is not None:
            conn.close()

    def run(self, on_progress):
        self.stop_at = time.monotonic() + self.duration
        threads = [threading.Thread(target=self.run_one, args=(i,), daemon=True) for i in range(self.connections)]
        for thread in threads:
            thread.start()
        on_progress()
        for thread in threads:
            thread.join(self.duration + 60)


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument("--connections", type=int, default=50, help="concurrent connections (default 50)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Run through scripts/with-postgres (make loadtest): the load test needs PostgreSQL.")
    if not 1 <= args.duration <= 900 or not 1 <= args.connections <= 200:
        raise SystemExit("--duration must be 1..900 seconds and --connections 1..200")

    workdir = Path(tempfile.mkdtemp(prefix="portal-loadtest-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        DJANGO_SETTINGS_MODULE="portal.settings",
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        LOG_LEVEL="WARNING",
    )
    server = None
    try:
        print("Preparing: migrate, demo content, collectstatic ...", flush=True)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_demo", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"{HOST}:{port}",
             "--workers", str(args.workers), "--log-level", "warning"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        wait_until_up(port)
        paths = discover_paths(port)
        for path in sorted(set(paths)):  # one warm-up request each, and proof every page answers
            status, _ = get(port, path)
            if not 200 <= status < 400:
                raise SystemExit(f"{path} answered {status} before the load started")
        print(
            f"Driving {len(set(paths))} URLs with {args.connections} connections for {args.duration} s "
            f"against gunicorn ({args.workers} workers) on {HOST}:{port}",
            flush=True,
        )
        memory = {"start": sample_memory(server.pid)}
        driver = Driver(port, paths, args.connections, args.duration)

        def sample_later():
            time.sleep(args.duration / 2)
            memory["middle"] = sample_memory(server.pid)

        sampler = threading.Thread(target=sample_later, daemon=True)
        started = time.monotonic()
        driver.run(sampler.start)
        elapsed = time.monotonic() - started
        sampler.join(5)
        memory["end"] = sample_memory(server.pid)

        latencies = sorted(driver.latencies)
        total = len(latencies) + sum(1 for e in driver.errors if "HTTP" not in e)
        print()
        print(f"requests:        {total} in {elapsed:.1f} s ({total / elapsed:.0f} per second)")
        print(f"errors:          {len(driver.errors)}")
        print(f"status codes:    {dict(sorted(driver.statuses.items()))}")
        print(
            "latency (ms):    "
            + "  ".join(f"p{int(p * 100)} {percentile(latencies, p) * 1000:.1f}" for p in (0.5, 0.95, 0.99))
            + f"  max {latencies[-1] * 1000:.1f}"
            if latencies
            else "latency: no successful requests"
        )
        for moment in ("start", "middle", "end"):
            workers = memory.get(moment, {})
            figures = ", ".join(f"{rss:.1f}" for rss in workers.values() if rss is not None)
            print(f"worker RSS (MB) {moment:>6}: {figures}")
        for error in driver.errors[:10]:
            print("  error:", error)
        start_total = sum(v for v in memory["start"].values() if v)
        middle_total = sum(v for v in memory.get("middle", {}).values() if v)
        end_total = sum(v for v in memory["end"].values() if v)
        if middle_total and end_total > middle_total * 1.25 + 10:
            print(f"WARNING: worker memory still growing in the second half ({middle_total:.0f} -> {end_total:.0f} MB)")
        else:
            print(f"memory: {start_total:.0f} MB at start, {middle_total:.0f} MB midway, {end_total:.0f} MB at end")
        return 1 if driver.errors or not latencies else 0
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
