"""The site's benchmark: every page measured against a static file served by the same server, in one run.

    make bench            (or: .venv/bin/python bench/run.py [--seconds 4] [--rounds 3] [--spike 60])

For two data sets, the article's delegation and a synthetic Games of about
4,400 athletes, it starts gunicorn with production settings twice (page
cache on, and off for the "uncached" figures), and Datasette over the same
SQLite file as a peer, and runs wrk against each target in interleaved
rounds, so that a noisy machine slows every target alike. Figures are
reported as ratios to the static file (and, for the 304, to a minimal Django
response) measured in the same round; the team pages are also set against
Datasette's table page doing the same job (the delegation's athletes, 50 to a
page, with facets), as a ratio per round. Every uncached public page is
measured, and its CPU time per request is measured in-process as well
(django.test.Client, `time.process_time`), which a busy machine disturbs far
less than requests per second; under wrk, each server's CPU time per request
(all its processes together, from /proc) is recorded too, so that gunicorn's
two workers and Datasette's one process compare on the same footing. It also
counts SQL queries per page, weighs the pages, times the fixture load, holds each
open-data format (CSV, JSON, calendar, feed, archive) to the page it comes from and
the Azerbaijani and Russian pages to the English ones, and
ends with a 60-second spike at 64 connections. Everything it touches is on loopback and under bench/out/;
Datasette is installed from bench/requirements.txt into its own venv there,
never into the site's requirements.

A full run takes 10 to 12 minutes on two cores (11.4 on a busy machine): 16
targets × (1 s of warm-up + 3 rounds × 4 s) for each data set (about 3.5
minutes each), the spike (1 minute), the in-process timings (under a minute)
and the set-up (generating the synthetic Games, about a minute); the first run
adds about half a minute to install Datasette.
"""

import argparse
import gzip
import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
REQUIREMENTS = ROOT / "bench" / "requirements.txt"
DATASETTE_VENV = OUT / "datasette-venv"
DATASETTE = str(DATASETTE_VENV / "bin" / "datasette")

BASE_ENV = {
    **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))},
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "benchmark-only-secret-" + "b" * 40,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_SSL_REDIRECT": "0",  # plain HTTP on loopback
    "DJANGO_LOG_LEVEL": "WARNING",
    "GUNICORN_LOG_LEVEL": "warning",
    "WEB_CONCURRENCY": "2",
    "GUNICORN_THREADS": "4",
    # One render slot per thread: wrk's 16 connections must measure rendering, not the busy 503s
    # that a lower cap answers with at once (they would count as fast responses).
    "DJANGO_RENDER_CONCURRENCY": "4",
}

# Datasette's one process runs its SQL on as many threads as one gunicorn worker has.
DATASETTE_SQL_THREADS = BASE_ENV["GUNICORN_THREADS"]
# The team page's facets that are columns of team_athlete (class, day, round, result and medal need joins).
DATASETTE_FACETS = ("sport_id", "gender", "status")

# Target name: the page's key in the page facts' URLs, measured with the page cache off.
UNCACHED_PAGES = {
    "team page, uncached": "team",
    "filtered team page": "filtered",
    "athlete page": "athlete",
    "event page": "event",
    "sport page": "sport",
    "schedule": "schedule",
    "medal table": "medals",
    "classes page": "classes",
    "sources page": "sources",
    "corrections page": "corrections",
}

# Each is worked out per round (both measured in the same round), then the median taken.
COMPARISONS = {
    "team page uncached ÷ Datasette faceted": ("team page, uncached", "Datasette faceted table"),
    "filtered team page ÷ Datasette filtered": ("filtered team page", "Datasette filtered table"),
}
COMPARISON_TARGET = 2.0

# Each open-data format and the readers' page it must be no slower than: the same rows, from the same
# FilterSet. The site feed carries the latest results, medals and corrections, the news the team page
# leads with; an athlete's feed what the athlete's page shows. The archive, every table at once, has no
# page of its own: it is held to the team page, the heaviest, and is expected to miss (it is every table).
FORMAT_PAGES = {
    "roster.csv": "team",
    "roster.json": "team",
    "filtered roster.csv": "filtered",
    "schedule.csv": "schedule",
    "schedule.json": "schedule",
    "schedule.ics": "schedule",
    "results.csv": "schedule",
    "results.json": "schedule",
    "medals.csv": "medals",
    "medals.json": "medals",
    "feed.atom": "team",
    "athlete feed.atom": "athlete",
    "archive.zip": "team",
}


def run(command, env, **kwargs):
    return subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True, **kwargs)


def manage(env, *args):
    return run([PYTHON, "manage.py", *args], env)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ensure_wrk():
    if shutil.which("wrk"):
        return
    print("Installing wrk from Debian's packages…", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"], check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    )


def ensure_datasette():
    """Datasette in a venv of its own under bench/out/, so that the site never depends on it.

    Reinstalled whenever bench/requirements.txt changes (its text is kept as the stamp).
    """
    stamp = DATASETTE_VENV / ".installed"
    wanted = REQUIREMENTS.read_text()
    if stamp.exists() and stamp.read_text() == wanted and Path(DATASETTE).exists():
        return
    print("Installing Datasette into bench/out/datasette-venv…", flush=True)
    shutil.rmtree(DATASETTE_VENV, ignore_errors=True)
    subprocess.run([PYTHON, "-m", "venv", str(DATASETTE_VENV)], check=True)
    pip = str(DATASETTE_VENV / "bin" / "pip")
    subprocess.run([pip, "install", "--quiet", "--disable-pip-version-check", "-r", str(REQUIREMENTS)], check=True)
    stamp.write_text(wanted)


class Process:
    """A server on a free loopback port, stopped on exit (use it in a `with`)."""

    name = "server"

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, command, health_path, env):
        log = OUT / f"{self.name}-{self.port}.log"
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if fetch(self.url + health_path)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} on {self.url} did not start; see {log}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=20)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


class Server(Process):
    """gunicorn with production settings (gunicorn.conf.py; 2 workers × 4 threads from BASE_ENV)."""

    name = "gunicorn"

    def __init__(self, env, page_cache):
        super().__init__()
        env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "DJANGO_PUBLIC_PAGE_CACHE": "1" if page_cache else "0"}
        self.start([GUNICORN, "--config", "gunicorn.conf.py", "paralympics.wsgi"], "/healthz", env)


class Datasette(Process):
    """`datasette serve` over the benchmark's SQLite file, read-only (immutable), as a peer to the site.

    One process: Datasette runs on one asyncio event loop under uvicorn and has
    no worker option; its SQL runs on DATASETTE_SQL_THREADS threads, as many as
    one gunicorn worker has. Facet suggestions are off, since the team page
    offers only the facets it declares; everything else is Datasette's default.
    """

    name = "datasette"

    def __init__(self, database):
        super().__init__()
        self.database = database.stem
        command = [DATASETTE, "serve", "--immutable", str(database), "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--setting", "num_sql_threads", DATASETTE_SQL_THREADS, "--setting", "suggest_facets", "off"]
        self.start(command, "/-/versions.json", BASE_ENV)

    def table_urls(self, ids):
        """The faceted table page and the filtered one, as the team page and its `?sport=para-swimming&gender=M`."""
        facets = "".join(f"&_facet={column}" for column in DATASETTE_FACETS)
        faceted = f"{self.url}/{self.database}/team_athlete?delegation_id={ids['delegation']}{facets}&_size=50"
        return faceted, f"{faceted}&sport_id={ids['para_swimming']}&gender=M"

    def check(self, url, rows):
        """Fail before measuring unless the page answers 200 with the expected rows and every facet counted."""
        status, _headers, body = fetch(url)
        data_status, _headers, data = fetch(url.replace("/team_athlete?", "/team_athlete.json?"))
        data = json.loads(data) if data_status == 200 else {}
        facets = set(data.get("facet_results", {}))
        page_ok = status == 200 and b"<table" in body
        if not page_ok or len(data.get("rows", ())) != rows or facets != set(DATASETTE_FACETS):
            raise RuntimeError(f"Datasette's {url} answered {status}/{data_status}, facets {facets}, not {rows} rows")


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wrk(url, seconds, connections=16, headers=None):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": to_ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        "p99_ms": to_ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "non_2xx_3xx": int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", output)) else 0,
        "socket_errors": sum(map(int, m.groups()))
        if (m := re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", output))
        else 0,
    }


# Each page in the other languages, set against the same page in English (the target: no slower than it).
LANGUAGE_PAGES = {
    f"{page} ({code})": page
    for code in ("az", "ru")
    for page in ("team", "filtered", "athlete", "schedule", "medals", "classes")
}


def to_ms(value):
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def prepare_article(env):
    database = OUT / "article.sqlite3"
    database.unlink(missing_ok=True)
    env = {**env, "DATABASE_URL": f"sqlite:///{database}"}
    manage(env, "migrate", "--noinput")
    started = time.perf_counter()
    manage(env, "load_initial_data")
    load_seconds = time.perf_counter() - started
    return env, database, "paris-2024/AZE", {"athletes": 19}, load_seconds


def prepare_synthetic(env):
    database = OUT / "games.sqlite3"
    database.unlink(missing_ok=True)
    run([PYTHON, "manage.py", "generate_games"], {**env, "BENCH_DATABASE_URL": f"sqlite:///{database}"})
    with closing(sqlite3.connect(database)) as connection:
        code, size = connection.execute(
            "SELECT d.npc_code, COUNT(a.id) FROM team_delegation d JOIN team_athlete a ON a.delegation_id = d.id "
            "GROUP BY d.id ORDER BY COUNT(a.id) DESC LIMIT 1"
        ).fetchone()
    env = {**env, "DATABASE_URL": f"sqlite:///{database}"}
    return env, database, f"synthetic-2028/{code}", {"athletes": size}, None


# Run by `manage.py shell` with the servers' settings (page cache off): each public page's address,
# queries, weight and CPU time per request, and the ids Datasette's table pages filter on.
# CPU time: after a warm-up, each page in turn, in REPETITIONS interleaved repetitions of at least
# BUDGET seconds each (3 to 100 requests), the median of the repetitions reported.
PAGES_SNIPPET = """
import gzip, json, statistics, time
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from team.models import Athlete, Delegation, Sport
from django.conf import settings
REPETITIONS, BUDGET = 5, 0.25
games, npc = settings.FEATURED_DELEGATION.split("/")
delegation = Delegation.objects.get(games__slug=games, npc_code=npc)
athlete = Athlete.objects.filter(delegation=delegation, entries__isnull=False).order_by("slug").first()
event = athlete.entries.order_by("event__slug").first().event
pages = {"team": "/", "filtered": "/?sport=para-swimming&gender=M", "athlete": f"/athletes/{athlete.slug}/",
         "event": f"/events/{event.slug}/", "sport": f"/sports/{athlete.sport.slug}/", "schedule": "/schedule/",
         "medals": "/medals/", "classes": "/classes/", "sources": "/sources/", "corrections": "/corrections/"}
# The open-data formats (FORMAT_PAGES in bench/run.py says which page each is held to), measured alike.
pages.update({"roster.csv": "/roster.csv", "roster.json": "/roster.json",
              "filtered roster.csv": "/roster.csv?sport=para-swimming&gender=M",
              "schedule.csv": "/schedule.csv", "schedule.json": "/schedule.json", "schedule.ics": "/schedule.ics",
              "results.csv": "/results.csv", "results.json": "/results.json",
              "medals.csv": "/medals.csv", "medals.json": "/medals.json",
              "feed.atom": "/feed.atom", "athlete feed.atom": f"/athletes/{athlete.slug}/feed.atom",
              "archive.zip": "/data/archive.zip"})
# The same pages in Azerbaijani and Russian (LANGUAGE_PAGES in bench/run.py sets each against its English page).
for code in ("az", "ru"):
    for key in ("team", "filtered", "athlete", "schedule", "medals", "classes"):
        pages[f"{key} ({code})"] = f"/{code}{pages[key]}"
swimming = Sport.objects.get(slug="para-swimming")
roster = Athlete.objects.filter(delegation=delegation)
report = {"urls": pages, "queries": {}, "html_bytes": {}, "html_gzip_bytes": {}, "cpu": {},
          "datasette_ids": {"delegation": delegation.id, "para_swimming": swimming.id},
          "datasette_rows": {"faceted": min(50, roster.count()),
                             "filtered": min(50, roster.filter(sport=swimming, gender="M").count())}}
client = Client(HTTP_HOST="127.0.0.1")
for name, url in pages.items():
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    report["queries"][name] = len(queries)
    report["html_bytes"][name] = len(response.content)
    report["html_gzip_bytes"][name] = len(gzip.compress(response.content, 9))

def timed(url, count):
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(count):
        client.get(url)
    return (time.process_time() - cpu) * 1000 / count, (time.perf_counter() - wall) * 1000 / count

counts = {}
for name, url in pages.items():
    timed(url, 3)
    counts[name] = max(3, min(100, round(BUDGET * 1000 / timed(url, 1)[1])))
samples = {name: [] for name in pages}
for _ in range(REPETITIONS):
    for name, url in pages.items():
        samples[name].append(timed(url, counts[name]))
for name, runs in samples.items():
    report["cpu"][name] = {"cpu_ms": statistics.median(cpu for cpu, _ in runs),
                           "wall_ms": statistics.median(wall for _, wall in runs),
                           "requests": counts[name], "repetitions": REPETITIONS}
print(json.dumps(report))
"""


def page_facts(env, cached_server):
    env = {**env, "DJANGO_PUBLIC_PAGE_CACHE": "0"}
    output = manage(env, "shell", "--no-imports", "-c", PAGES_SNIPPET).stdout
    facts = json.loads(output.strip().splitlines()[-1])
    _status, headers, body = fetch(cached_server.url + "/")
    css = re.search(rb'href="(/static/css/[^"]+\.css)"', body).group(1).decode()
    css_body = fetch(cached_server.url + css)[2]
    facts["css_url"] = css
    facts["css_bytes"] = len(css_body)
    facts["css_gzip_bytes"] = len(gzip.compress(css_body, 9))
    facts["first_view_requests"] = 1 + len(
        re.findall(rb'<(?:link rel="stylesheet"|script|img)[^>]+(?:href|src)="/', body)
    )
    facts["first_view_gzip_bytes"] = facts["html_gzip_bytes"]["team"] + facts["css_gzip_bytes"]
    facts["etag"] = headers["ETag"]
    # A cached hit costs no query; a 304 costs none either (both answered from the cache).
    facts["queries"]["team, cache hit"] = 0
    facts["queries"]["team, 304"] = 0
    return facts


def targets_for(facts, cached, uncached, datasette):
    """Every target of the wrk rounds: (URL, request headers, the server answering it)."""
    faceted, filtered = datasette.table_urls(facts["datasette_ids"])
    datasette.check(faceted, facts["datasette_rows"]["faceted"])
    datasette.check(filtered, facts["datasette_rows"]["filtered"])
    targets = {
        "static file": (cached.url + facts["css_url"], None, cached),
        "minimal Django response": (cached.url + "/robots.txt", None, cached),
        "team page, from the cache": (cached.url + "/", None, cached),
        "team page, 304 revalidation": (cached.url + "/", {"If-None-Match": facts["etag"]}, cached),
    }
    for name, page in UNCACHED_PAGES.items():
        targets[name] = (uncached.url + facts["urls"][page], None, uncached)
    targets["Datasette faceted table"] = (faceted, None, datasette)
    targets["Datasette filtered table"] = (filtered, None, datasette)
    return targets


def cpu_seconds(pid):
    """CPU time used so far by a process and its children, living or reaped (gunicorn's workers), from /proc.

    Taken before and after a wrk run, it gives the server's CPU per request whatever its number of
    processes, which is what sets Datasette's one process and gunicorn's two workers side by side.
    Where wrk completes only a few dozen requests (the slowest pages), the requests still in flight
    at the end weigh on it; the in-process figure is the one to read there.
    """
    processes = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended while we looked
            continue
        # After the name: state, ppid, …; utime, stime, cutime, cstime are the 12th to 15th.
        processes[int(stat.parent.name)] = (int(fields[1]), sum(map(int, fields[11:15])), sum(map(int, fields[11:13])))
    ticks = processes[pid][1] + sum(own for parent, _, own in processes.values() if parent == pid)
    return ticks / os.sysconf("SC_CLK_TCK")


def settle(server, timeout=60):
    """Wait until the server has finished the requests wrk left in flight, so that they do not slow the next target.

    On the slowest pages 16 abandoned requests are seconds of CPU; the server counts as idle once it
    uses under a tenth of a core.
    """
    deadline = time.monotonic() + timeout
    last = cpu_seconds(server.process.pid)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = cpu_seconds(server.process.pid)
        if now - last < 0.02:
            return
        last = now


def measure(label, targets, seconds, rounds):
    """wrk on every target, in `rounds` rounds each starting one target further on; medians of the rounds."""
    for url, headers, _server in targets.values():
        fetch(url, headers)
    for url, headers, server in targets.values():
        # Warm every worker (each has its own cache and templates) and connection before measuring.
        wrk(url, 1, headers=headers)
        settle(server)
    samples = {name: [] for name in targets}
    compared = {name: [] for name in COMPARISONS}
    names = list(targets)
    for round_number in range(rounds):
        order = names[round_number % len(names) :] + names[: round_number % len(names)]
        results = {}
        for name in order:
            url, headers, server = targets[name]
            before = cpu_seconds(server.process.pid)
            results[name] = wrk(url, seconds, headers=headers)
            used = cpu_seconds(server.process.pid) - before
            results[name]["server_cpu_ms"] = used * 1000 / max(results[name]["requests"], 1)
            settle(server)
        for name, result in results.items():
            base = results["minimal Django response" if "304" in name else "static file"]["rps"]
            samples[name].append({**result, "ratio": result["rps"] / base})
        for name, (page, peer) in COMPARISONS.items():
            if results[peer]["rps"]:
                compared[name].append(results[page]["rps"] / results[peer]["rps"])
        print(f"  {label}: round {round_number + 1}/{rounds} done", flush=True)
    summary = {
        name: {
            "rps": statistics.median(s["rps"] for s in runs),
            "p50_ms": statistics.median(s["p50_ms"] for s in runs),
            "p99_ms": statistics.median(s["p99_ms"] for s in runs),
            "ratio": statistics.median(s["ratio"] for s in runs),
            "server_cpu_ms": statistics.median(s["server_cpu_ms"] for s in runs),
            "errors": sum(s["non_2xx_3xx"] + s["socket_errors"] for s in runs),
        }
        for name, runs in samples.items()
    }
    comparisons = {name: statistics.median(ratios) if ratios else None for name, ratios in compared.items()}
    return summary, comparisons


def spike(server, seconds):
    result = wrk(server.url + "/", seconds, connections=64)
    return {**result, "p99_over_p50": result["p99_ms"] / result["p50_ms"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=4, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per data set")
    parser.add_argument("--spike", type=int, default=60, help="length of the spike run, in seconds")
    options = parser.parse_args()
    started = time.monotonic()
    OUT.mkdir(parents=True, exist_ok=True)
    ensure_wrk()
    ensure_datasette()
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], BASE_ENV)
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "commit": commit(),
        "settings": {"seconds": options.seconds, "rounds": options.rounds, "spike": options.spike},
        "servers": servers(),
        "load_average": {"start": os.getloadavg()[0]},
        "data": {},
    }
    for label, prepare in (("article", prepare_article), ("synthetic Games", prepare_synthetic)):
        env, database, featured, size, load_seconds = prepare(BASE_ENV)
        env = {**env, "DJANGO_FEATURED_DELEGATION": featured}
        print(f"Measuring the {label} ({size['athletes']} athletes in {featured})…", flush=True)
        with Server(env, page_cache=True) as cached:
            with Server(env, page_cache=False) as uncached, Datasette(database) as datasette:
                facts = page_facts(env, cached)
                targets = targets_for(facts, cached, uncached, datasette)
                summary, comparisons = measure(label, targets, options.seconds, options.rounds)
            entry = {"featured": featured, **size, "targets": summary, "comparisons": comparisons, "pages": facts}
            if load_seconds is not None:
                entry["fixture_load_seconds"] = load_seconds
            if label == "article" and options.spike:
                print(f"Spike: {options.spike} s at 64 connections on the cached team page…", flush=True)
                entry["spike"] = spike(cached, options.spike)
        report["data"][label] = entry
    report["minutes"] = (time.monotonic() - started) / 60
    # Above the number of cores, other work shared the machine: the ratios hold better than the req/s.
    report["load_average"]["end"] = os.getloadavg()[0]
    (OUT / "results.json").write_text(json.dumps(report, indent=2))
    print_report(report)


def machine():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    return f"{os.cpu_count()} cores, {cpu}, Python {sys.version.split()[0]}"


def commit():
    try:
        return run(["git", "rev-parse", "--short", "HEAD"], BASE_ENV).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def servers():
    datasette = run([DATASETTE, "--version"], BASE_ENV).stdout.strip()
    return {
        "site": f"gunicorn (gunicorn.conf.py), {BASE_ENV['WEB_CONCURRENCY']} workers × "
        f"{BASE_ENV['GUNICORN_THREADS']} threads, DJANGO_RENDER_CONCURRENCY={BASE_ENV['DJANGO_RENDER_CONCURRENCY']}, "
        "local-memory cache",
        "datasette": f"{datasette}, one process (uvicorn), num_sql_threads={DATASETTE_SQL_THREADS}, "
        "suggest_facets off, database immutable",
    }


def print_report(report):
    print(f"\nBenchmark {report['date']} on {report['machine']}, commit {report['commit']}")
    print(f"  site: {report['servers']['site']}\n  peer: {report['servers']['datasette']}")
    for label, data in report["data"].items():
        print(f"\n{label}: {data['athletes']} athletes ({data['featured']})")
        print(f"  {'target':32} {'req/s':>9} {'ratio':>7} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms':>7} {'errors':>7}")
        for name, row in data["targets"].items():
            basis = " (÷ minimal)" if "304" in name else ""
            print(
                f"  {name:32} {row['rps']:9.0f} {row['ratio']:7.2f} {row['p50_ms']:8.2f} "
                f"{row['p99_ms']:8.2f} {row['server_cpu_ms']:7.2f} {row['errors']:7d}{basis}"
            )
        print("  (CPU ms: the server's processes' CPU time per request under wrk, all its processes together)")
        for name, ratio in data["comparisons"].items():
            verdict = "no figure" if ratio is None else "met" if ratio >= COMPARISON_TARGET else "missed"
            figure = "–" if ratio is None else f"{ratio:.2f}×"
            print(f"  {name}: {figure} (target ≥ {COMPARISON_TARGET:.0f}×: {verdict})")
        pages = data["pages"]
        print(f"\n  {'page, uncached, in-process':27} {'queries':>7} {'CPU ms':>7} {'wall ms':>8} {'n':>4}", end="")
        print(f" {'HTML B':>8} {'gzip B':>7}  address")
        for name, cpu in pages["cpu"].items():
            print(
                f"  {name:27} {pages['queries'][name]:7d} {cpu['cpu_ms']:7.1f} {cpu['wall_ms']:8.1f} "
                f"{cpu['requests']:4d} {pages['html_bytes'][name]:8d} {pages['html_gzip_bytes'][name]:7d}  "
                f"{pages['urls'][name]}"
            )
        print(
            f"  CPU ms: median per request of {next(iter(pages['cpu'].values()))['repetitions']} repetitions "
            "of n requests; queries on a cache hit "
            f"{pages['queries']['team, cache hit']}, on a 304 {pages['queries']['team, 304']}"
        )
        print(
            f"  CSS {pages['css_bytes']} B ({pages['css_gzip_bytes']} gzip); first view "
            f"{pages['first_view_gzip_bytes']} B gzip in {pages['first_view_requests']} requests"
        )
        header = f"{'format, uncached, in-process':29} {'page':>11} {'CPU ms':>7} {'page ms':>8} {'ratio':>6}"
        print(f"\n  {header}  verdict")
        for name, page in FORMAT_PAGES.items():
            mine, theirs = pages["cpu"][name]["cpu_ms"], pages["cpu"][page]["cpu_ms"]
            verdict = "within" if mine <= theirs else "slower than its page"
            print(f"  {name:29} {page:>11} {mine:7.1f} {theirs:8.1f} {mine / theirs:6.2f}  {verdict}")
        print("  (ratio: the format's CPU time per request ÷ its page's; the target is ≤ 1, its page's own targets)")
        print(f"\n  {'page in another language':29} {'queries':>7} {'CPU ms':>7} {'en ms':>8} {'ratio':>6}")
        for name, page in LANGUAGE_PAGES.items():
            mine, theirs = pages["cpu"][name]["cpu_ms"], pages["cpu"][page]["cpu_ms"]
            same = "same queries" if pages["queries"][name] == pages["queries"][page] else "other queries"
            print(f"  {name:29} {pages['queries'][name]:7d} {mine:7.1f} {theirs:8.1f} {mine / theirs:6.2f}  {same}")
        print("  (ratio: the page's CPU time per request in that language ÷ in English)")
        if "fixture_load_seconds" in data:
            print(f"  fixture load from empty, with start-up: {data['fixture_load_seconds']:.2f} s")
        if "spike" in data:
            s = data["spike"]
            print(
                f"  spike: {s['requests']} requests, {s['non_2xx_3xx']} non-2xx/3xx, "
                f"{s['socket_errors']} socket errors, "
                f"p50 {s['p50_ms']:.2f} ms, p99 {s['p99_ms']:.2f} ms (p99/p50 {s['p99_over_p50']:.1f})"
            )
    load = report["load_average"]
    print(f"\nThe run took {report['minutes']:.1f} minutes; load average {load['start']:.1f} at the start, ", end="")
    print(f"{load['end']:.1f} at the end, on {os.cpu_count()} cores.")


if __name__ == "__main__":
    main()
