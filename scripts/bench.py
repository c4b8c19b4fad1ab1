#!/usr/bin/env python3
"""Benchmark: build a realistic database, serve it with gunicorn as in production, and
drive it with wrk from a second process on loopback. Prints one table per database.

    make bench                      # SQLite and PostgreSQL, 10,000 briefings, 10,000 alert subscribers
    .venv/bin/python scripts/bench.py --db sqlite --briefings 2000 --rounds 1
    .venv/bin/python scripts/bench.py --db postgres --only "briefing detail"
    .venv/bin/python scripts/bench.py --briefings 1000 --only "reach report"   # the report, in-process

Each page is measured in --rounds rounds, each after the static file, and the table shows
medians: a shared machine's slow moments then weigh on a page and its reference alike.
Loopback only; every run is bounded by --duration.
"""

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
WRK_SCRIPT = """
local queries = {QUERIES}
local i = 0
request = function()
  if #queries > 0 then
    i = i + 1
    return wrk.format(nil, queries[(i % #queries) + 1])
  end
  return wrk.format(nil)
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format('RESULT {"requests": %d, "seconds": %f, "errors": %d, "bytes": %d, '
    .. '"p50": %f, "p95": %f, "p99": %f}\\n',
    summary.requests, summary.duration / 1e6, errors, summary.bytes,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""
SEARCH_TERMS = ["neglect", "disguised compliance", "teenagers", "GCP2", "audit", "supervision drift",
                "chronology", "\"lived experience\"", "health -dental", "information sharing"]  # fmt: skip


def populate(args):
    """Create the volume: runs inside Django (called as a subprocess with the bench environment)."""
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from briefings.models import Briefing, DiscussionQuestion, KeyFact, Section, Theme
    from training.models import Course, LearningOutcome, Session

    if Briefing.objects.count() >= args.briefings:
        return
    vocabulary = (
        "neglect child family practitioner assessment supervision chronology health visitor school nurse "
        "escalation disguised compliance curiosity lived experience drift cumulative harm early help "
        "threshold referral teenager adolescent baby crying coping strategy toolkit graded care profile "
        "audit review learning partnership agency information sharing plan outcome change capacity"
    )
    words = vocabulary.split()
    rnd = __import__("random").Random(42)

    def text(n):
        return " ".join(rnd.choice(words) for _ in range(n)).capitalize() + "."

    with transaction.atomic():
        themes = [Theme.objects.get_or_create(slug=f"bench-theme-{i}", defaults={"name": f"Bench theme {i}"})[0]
                  for i in range(20)]  # fmt: skip
        courses = Course.objects.bulk_create(
            Course(title=f"Course {i} {text(3)}", slug=f"bench-course-{i}", summary=text(25), description=text(120),
                   is_published=True, booking_url="https://learning.example.org/book", format=rnd.choice(
                       ["classroom", "virtual", "elearning"]))
            for i in range(args.courses)
        )  # fmt: skip
        LearningOutcome.objects.bulk_create(
            LearningOutcome(course=c, position=j, text=text(12)) for c in courses for j in range(5)
        )
        now = timezone.now()
        Session.objects.bulk_create(
            Session(course=courses[i % len(courses)], starts=now + dt.timedelta(days=1 + i % 200, hours=i % 8),
                    ends=now + dt.timedelta(days=1 + i % 200, hours=3 + i % 8), location="Council House, Room 2",
                    places_total=20)
            for i in range(args.sessions)
        )  # fmt: skip
        today = timezone.localdate()
        kinds = ["seven_minute_briefing", "thematic_review", "audit_findings"]
        briefings = Briefing.objects.bulk_create(
            Briefing(title=f"Briefing {i}: {text(5)}", slug=f"bench-briefing-{i}", kind=kinds[i % 3],
                     summary=text(30), status="published", published=today - dt.timedelta(days=i % 2000),
                     review_due=today + dt.timedelta(days=365 - i % 700), publisher="Bench partnership")
            for i in range(args.briefings)
        )  # fmt: skip
        Section.objects.bulk_create(
            Section(briefing=b, position=j, heading=text(3), body=text(90)) for b in briefings for j in range(7)
        )
        DiscussionQuestion.objects.bulk_create(
            DiscussionQuestion(briefing=b, position=j, text=text(12) + "?") for b in briefings for j in range(4)
        )
        KeyFact.objects.bulk_create(KeyFact(briefing=b, figure="60%", text=text(8)) for b in briefings)
        Through = Briefing.themes.through
        Through.objects.bulk_create(Through(briefing=b, theme=themes[i % len(themes)]) for i, b in enumerate(briefings))
        CThrough = Briefing.courses.through
        CThrough.objects.bulk_create(
            CThrough(briefing=b, course=courses[i % len(courses)]) for i, b in enumerate(briefings)
        )
    from django.core.management import get_commands

    if "rebuild_search_index" in get_commands():
        call_command("rebuild_search_index", verbosity=0)
    try:
        from briefings.related import store_related
    except ImportError:  # a version from before related briefings were stored
        pass
    else:
        store_related.call()  # what the worker does after a change (no worker runs here)
    from django.db import connection

    if connection.vendor == "postgresql":
        # A site that has run for a while has been vacuumed and analysed; a fresh bulk load has
        # not, and autovacuum would otherwise do it during the measurements, on the same 2 cores.
        # The checkpoint writes out what the load left in memory now: otherwise the next scheduled
        # one (spread over minutes) does it during the measurements.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")


def search_times(args):
    """Service time of each search with no result cache, in-process (runs inside Django)."""
    import django
    from django.conf import settings
    from django.test import override_settings

    django.setup()
    from portal.site.search import run_search

    timings = []
    with override_settings(SEARCH_CACHE_SECONDS=0):
        assert not settings.SEARCH_CACHE_SECONDS
        for _ in range(args.search_rounds):
            for term in SEARCH_TERMS:
                started = time.perf_counter()
                run_search(term)
                timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    pick = lambda p: timings[min(len(timings) - 1, int(len(timings) * p / 100))]  # noqa: E731
    print(json.dumps({"n": len(timings), "p50": pick(50), "p95": pick(95), "p99": pick(99), "max": timings[-1]}))


def alerts_queue(args):
    """Time and memory to queue one publication's alerts to N subscribers (runs inside Django)."""
    import django

    django.setup()
    import tracemalloc

    from django.db import transaction
    from django.utils import timezone

    from alerts.models import AlertEvent, Delivery, Subscriber
    from alerts.sending import start_event
    from briefings.models import Briefing, Theme

    theme, _ = Theme.objects.get_or_create(slug="bench-alerts", defaults={"name": "Bench alerts"})
    results = []
    for size in (args.subscribers // 10, args.subscribers):
        Subscriber.objects.all().delete()
        now = timezone.now()
        with transaction.atomic():
            # A mix: half follow the theme, a quarter everything, a quarter another theme only; a tenth weekly.
            Subscriber.objects.bulk_create(
                (
                    Subscriber(
                        email=f"bench{n}@example.org",
                        everything=n % 4 == 1,
                        confirmed_at=now,
                        frequency="weekly" if n % 10 == 9 else "instant",
                    )
                    for n in range(size)
                ),
                batch_size=2000,
            )
            follows = Subscriber.themes.through
            ids = Subscriber.objects.filter(email__startswith="bench").values_list("pk", flat=True)
            follows.objects.bulk_create(
                (follows(subscriber_id=pk, theme_id=theme.pk) for pk in ids.iterator() if pk % 2 == 0),
                batch_size=2000,
            )
        briefing = Briefing.objects.create(
            title=f"Bench alert {size}", slug=f"bench-alert-{size}-{now:%H%M%S%f}", summary="s",
            status="published", published=timezone.localdate(),
        )  # fmt: skip
        briefing.themes.add(theme)
        event = AlertEvent.objects.get(briefing=briefing)
        tracemalloc.start()
        started = time.perf_counter()
        start_event.call(event.pk)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        recipients = Delivery.objects.filter(event=event).count()
        results.append({"subscribers": size, "recipients": recipients, "seconds": seconds, "peak_kb": peak / 1024})
    print(json.dumps(results))


def populate_learning(args):
    """Team records, follow-up answers and votes for the reach report, spread over the last 11 months."""
    import datetime as dt
    import random

    from django.db import connection, transaction
    from django.utils import timezone

    from briefings.models import Briefing
    from learning.models import Agency, FollowUp, TeamRecord, UsefulnessVote

    if TeamRecord.objects.count() >= args.records:
        return
    rnd = random.Random(42)
    briefings = list(Briefing.objects.order_by("pk").values_list("pk", "title")[: args.report_briefings])
    agencies = list(Agency.objects.values_list("pk", flat=True))
    today, now = timezone.localdate(), timezone.now()
    batch = 20_000
    with transaction.atomic():
        for start in range(0, args.records, batch):
            records = TeamRecord.objects.bulk_create(
                TeamRecord(briefing_id=b[0], briefing_title=b[1], met_on=today - dt.timedelta(days=rnd.randint(0, 330)),
                           team=f"Team {i % 500}", agency_id=rnd.choice(agencies), attendees=rnd.randint(3, 25),
                           changes="We agreed to read the chronology at every supervision.",
                           follow_up_answered=rnd.random() < 0.1)
                for i in range(start, min(start + batch, args.records))
                for b in [rnd.choice(briefings)]
            )  # fmt: skip
            FollowUp.objects.bulk_create(
                FollowUp(record=r, status="answered", sent_at=now, expires_at=now, answered_at=now,
                         answer="Supervision now starts with the child's day.")
                for r in records if r.follow_up_answered
            )  # fmt: skip
        # Votes spread over the year: created_at is set on insert unless auto_now_add is off for the load.
        created_at = UsefulnessVote._meta.get_field("created_at")
        created_at.auto_now_add = False
        try:
            UsefulnessVote.objects.bulk_create(
                (UsefulnessVote(briefing_id=rnd.choice(briefings)[0], useful=rnd.random() < 0.8, voter=f"bench-{i}",
                                created_at=now - dt.timedelta(days=rnd.randint(0, 330)))
                 for i in range(args.records // 2)),
                batch_size=5_000,
            )  # fmt: skip
        finally:
            created_at.auto_now_add = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def database_cpu_ms():
    """CPU time PostgreSQL has used so far on this machine, in ms: its processes and the workers it has reaped.

    The report's queries run in the server (and its parallel workers), so the client's CPU time leaves them out;
    None on SQLite, whose work is already in this process's time.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])

    def times(pid):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return [int(value) for value in fields[11:15]]  # utime, stime, cutime, cstime

    ticks = sum(times(postmaster)[2:])
    for child in Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split():
        with contextlib.suppress(FileNotFoundError):
            ticks += sum(times(child))
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


def report_times(args):
    """Service time of the reach report in admin (page, CSV, Excel), in-process through Django's test client."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from learning.models import FollowUp, TeamRecord, UsefulnessVote

    populate_learning(args)
    user = get_user_model().objects.filter(username="bench-lead").first() or get_user_model().objects.create_superuser(
        "bench-lead", "lead@example.org", None
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    timings = {}
    for label, query in [("page", {}), ("CSV", {"format": "csv"}), ("Excel", {"format": "xlsx"})]:
        runs, cpu, db_cpu = [], [], []
        for _ in range(args.report_rounds):
            started, started_cpu, started_db = time.perf_counter(), time.process_time(), database_cpu_ms()
            response = client.get("/admin/learning/reachreport/", query)
            body = b"".join(response) if response.streaming else response.content
            runs.append((time.perf_counter() - started) * 1000)
            # CPU time: on a busy shared machine the wall time mostly measures waiting for a core. This
            # process's (on SQLite it includes the database's work), plus PostgreSQL's own processes.
            cpu.append((time.process_time() - started_cpu) * 1000)
            if started_db is not None:
                db_cpu.append(database_cpu_ms() - started_db)
            assert response.status_code == 200 and body, response.status_code
        runs.sort()
        timings[label] = {"p50": median(runs), "max": runs[-1], "cpu": median(cpu), "bytes": len(body)}
        if db_cpu:
            timings[label]["db_cpu"] = median(db_cpu)
    sizes = {"records": TeamRecord.objects.count(), "follow_ups": FollowUp.objects.count(),
             "votes": UsefulnessVote.objects.count(), "briefings": args.report_briefings}  # fmt: skip
    print(json.dumps({"sizes": sizes, "timings": timings}))


def wait_for(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer {url} in {timeout}s")


def run_wrk(base, path, args, headers=(), queries=()):
    lua = WRK_SCRIPT.replace("{QUERIES}", "{" + ", ".join(json.dumps(q) for q in queries) + "}")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua)
        script = f.name
    cmd = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "10s", "-s", script]
    for header in headers:
        cmd += ["-H", header]
    cmd.append(base + path)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    os.unlink(script)
    for line in out.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT ") :])
            result["rps"] = result["requests"] / result["seconds"]
            # Bytes on the wire per response, headers included (what a reader downloads).
            result["kb"] = result["bytes"] / max(result["requests"], 1) / 1024
            return result
    raise SystemExit(f"wrk printed no result:\n{out}")


def wanted(args, row):
    """Whether --only asks for this row (every row when it is not given)."""
    return not args.only or any(text in row for text in args.only)


@contextlib.contextmanager
def serve(env, args):
    """gunicorn as in production, on loopback, for the length of the block."""
    server = subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "portal.wsgi:application", "--workers", str(args.workers),
         "--bind", f"127.0.0.1:{args.port}", "--log-level", "warning"],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{args.port}/healthz/")
        yield
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def bench_database(label, env, args):
    work = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        "CACHE_DIR": str(work / "cache"),
        "LOG_LEVEL": "WARNING",
    }
    manage = [PY, str(ROOT / "manage.py")]
    print(f"[{label}] migrate, collectstatic, {args.briefings:,} briefings ...", file=sys.stderr)
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    started = time.monotonic()
    subprocess.run([PY, __file__, "populate", *sys.argv[1:]], env=env, check=True, cwd=ROOT)
    print(f"[{label}] data built in {time.monotonic() - started:.0f}s", file=sys.stderr)
    manifest = json.loads((work / "static" / "staticfiles.json").read_text())
    static_path = "/static/" + manifest["paths"]["css/site.css"]

    base = f"http://127.0.0.1:{args.port}"
    searches = ["/search/?q=" + urllib.request.quote(q) for q in SEARCH_TERMS]
    # A session cookie that matches no session: the page cache is bypassed and the session looked up.
    stale = ["Cookie: sessionid=bench-no-such-session"]
    # What browsers send: the page cache answers with the brotli copy it stored.
    compressed = "Accept-Encoding: gzip, br"
    detail = "/briefings/bench-briefing-7/"
    # Service time of a search: one connection per worker, so no queueing is counted.
    one_each = argparse.Namespace(connections=args.workers, duration=args.duration)
    no_page_cache = {**env, "PAGE_CACHE_SECONDS": "0"}
    no_caches = {**no_page_cache, "SEARCH_CACHE_SECONDS": "0"}
    # (server environment, [(row, path, headers, wrk Lua queries[, load])]): one gunicorn per group.
    groups = [
        (env, [
            ("home", "/", (), ()),
            ("briefing list", "/briefings/", (), ()),
            ("briefing detail", detail, (), ()),
            ("briefing detail, compressed", detail, (compressed,), ()),
            ("course detail", "/training/bench-course-3/", (), ()),
            ("briefing detail, stale session", detail, stale, ()),
            ("search, 10 queries (result cache)", "/search/", stale, searches),
            (f"search, result cache, {args.workers} conns", "/search/", stale, searches, one_each),
        ]),
        (no_page_cache, [("briefing detail, no page cache", detail, (), ())]),
        (no_caches, [
            ("briefing detail, no caches", detail, (), ()),
            (f"search, no caches, {args.workers} conns", "/search/", (), searches, one_each),
        ]),
    ]  # fmt: skip
    static = ("static file (site.css)", static_path, (), ())
    results = {static[0]: []}
    ratios = {}
    for server_env, group in groups:
        group = [target for target in group if wanted(args, target[0])]
        if not group:
            continue
        with serve(server_env, args):
            for _name, path, headers, queries, *load in [static, *group]:
                warm = argparse.Namespace(connections=(load[0] if load else args).connections, duration=1)
                run_wrk(base, path, warm, headers, queries)
            # Rounds: the static file, then each page; a page's ratio is taken against the static
            # file of its own round, so a slow minute on a shared machine affects both alike.
            for _round in range(args.rounds):
                reference = run_wrk(base, static_path, args)
                results[static[0]].append(reference)
                for name, path, headers, queries, *load in group:
                    result = run_wrk(base, path, load[0] if load else args, headers, queries)
                    results.setdefault(name, []).append(result)
                    ratios.setdefault(name, []).append(result["rps"] / reference["rps"])
    rows = []
    for name, runs in results.items():
        if not runs:  # --only named no page (only in-process rows): no static file either
            continue
        rows.append((name, {key: median(run[key] for run in runs) for key in runs[0]}, ratios.get(name)))
    cold = search_service_times(env) if wanted(args, "search, in-process") else None
    alerts = alerts_queue_times(env) if wanted(args, "alerts queue") else None
    reach = in_process(env, "report-times") if wanted(args, "reach report") else None
    shutil.rmtree(work, ignore_errors=True)
    print_table(label, args, rows, cold)
    for row in alerts or ():
        print(
            f"alerts queue: one publication to {row['subscribers']:,} subscribers ({row['recipients']:,} matching): "
            f"{row['seconds']:.2f} s, peak Python memory {row['peak_kb']:,.0f} KB"
        )
    if reach:
        sizes, timings = reach["sizes"], reach["timings"]
        print(
            f"reach report in admin, in-process, {sizes['records']:,} team records ({sizes['follow_ups']:,} answered "
            f"follow-ups) and {sizes['votes']:,} votes over {sizes['briefings']:,} briefings, {args.report_rounds} "
            "requests each: "
            + ", ".join(
                f"{name} p50 {t['p50']:.0f} ms (max {t['max']:.0f}, CPU {t.get('cpu', 0):.0f}"
                + (f" + PostgreSQL {t['db_cpu']:.0f}" if "db_cpu" in t else "")
                + f"; {t['bytes']:,} bytes)"
                for name, t in timings.items()
            )
        )
    return rows


def alerts_queue_times(env):
    command = [PY, __file__, "alerts-queue", *sys.argv[1:]]
    run = subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


def search_service_times(env):
    return in_process(env, "search-times")


def in_process(env, mode):
    """Run this script in `mode` inside Django and read the JSON line it prints last."""
    return json.loads(
        subprocess.run(
            [PY, __file__, mode, *sys.argv[1:]], env=env, cwd=ROOT, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )


def print_table(label, args, rows, cold):
    print(
        f"\n{label}: {args.briefings:,} briefings, {args.courses} courses, {args.sessions:,} sessions; "
        f"gunicorn {args.workers} workers; wrk 1 thread, {args.connections} connections, {args.duration}s a run; "
        f"median of {args.rounds} rounds"
    )
    print(f"{'page':36} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} {'x static':>9} {'KB':>6}")
    for name, r, ratio in rows:
        ratio = f"{median(ratio):9.2f}" if ratio else f"{1:9.2f}"
        print(
            f"{name:36} {r['rps']:7.0f} {r['p50']:7.1f} {r['p95']:7.1f} {r['p99']:7.1f} {r['errors']:6.0f} {ratio}"
            f" {r['kb']:6.1f}"
        )
    if cold:
        print(
            f"search without result cache, one at a time in-process ({cold['n']} searches of the 10 queries): "
            f"p50 {cold['p50']:.1f} ms, p95 {cold['p95']:.1f} ms, p99 {cold['p99']:.1f} ms, max {cold['max']:.1f} ms"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "mode", nargs="?", default="run", choices=["run", "populate", "search-times", "alerts-queue", "report-times"]
    )
    parser.add_argument("--search-rounds", type=int, default=10, help="rounds of the 10 queries, timed in-process")
    parser.add_argument("--records", type=int, default=200_000, help="team records for the reach report")
    parser.add_argument("--report-briefings", type=int, default=1_000, help="briefings the team records are about")
    parser.add_argument("--report-rounds", type=int, default=10, help="requests of each form of the reach report")
    parser.add_argument("--db", default="both", choices=["both", "sqlite", "postgres"])
    parser.add_argument("--briefings", type=int, default=10_000)
    parser.add_argument("--courses", type=int, default=500)
    parser.add_argument("--sessions", type=int, default=5_000)
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per page in each round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every page; the table shows medians")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--subscribers", type=int, default=10_000, help="email alert subscribers (alerts queue row)")
    parser.add_argument(
        "--only", action="append", default=[], metavar="TEXT",
        help="measure only the rows whose name contains TEXT (repeatable; the static file always runs)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.mode in ("populate", "search-times", "alerts-queue", "report-times"):
        sys.path.insert(0, str(ROOT))
        modes = {
            "populate": populate,
            "search-times": search_times,
            "alerts-queue": alerts_queue,
            "report-times": report_times,
        }
        return modes[args.mode](args)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench does this).")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if args.db in ("both", "sqlite"):
        db = Path(tempfile.mkdtemp(prefix="portal-bench-db-")) / "bench.sqlite3"
        bench_database("SQLite", {**env, "DATABASE_URL": f"sqlite:///{db}"}, args)
    if args.db in ("both", "postgres"):
        if os.environ.get("DATABASE_URL", "").startswith("postgres"):
            bench_database("PostgreSQL", os.environ.copy(), args)
        else:
            # Re-run this script inside a throwaway PostgreSQL server.
            cmd = [str(ROOT / "scripts" / "with-postgres"), PY, __file__, *sys.argv[1:], "--db", "postgres"]
            subprocess.run(cmd, check=True, env={**env, "PGPORT": os.environ.get("PGPORT", "25450")})


if __name__ == "__main__":
    main()
