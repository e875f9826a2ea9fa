"""The site's benchmark: every page measured against a static file served by the same server, in one run.

    make bench            (or: .venv/bin/python bench/run.py [--seconds 4] [--rounds 3] [--spike 60])

For two data sets, the article's delegation and a synthetic Games of about
4,400 athletes, it starts gunicorn with production settings twice (page
cache on, and off for the "uncached" figures) and runs wrk against each
target in interleaved rounds, so that a noisy machine slows every target
alike. Figures are reported as ratios to the static file (and, for the 304,
to a minimal Django response) measured in the same round. It also counts SQL
queries per page, weighs the pages, times the fixture load, and ends with a
60-second spike at 64 connections. Everything it touches is on loopback and
under bench/out/.
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

BASE_ENV = {
    **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))},
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "benchmark-only-secret-" + "b" * 40,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_SSL_REDIRECT": "0",  # plain HTTP on loopback
    "DJANGO_LOG_LEVEL": "WARNING",
    "GUNICORN_LOG_LEVEL": "warning",
    "WEB_CONCURRENCY": "2",
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


class Server:
    """gunicorn on a free loopback port, stopped on exit."""

    def __init__(self, env, page_cache):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "DJANGO_PUBLIC_PAGE_CACHE": "1" if page_cache else "0"}
        self.process = subprocess.Popen(
            [GUNICORN, "--config", "gunicorn.conf.py", "paralympics.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(OUT / f"gunicorn-{self.port}.log").open("w"),
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if fetch(self.url + "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn on {self.url} did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
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
    return env, "paris-2024/AZE", {"athletes": 19}, load_seconds


def prepare_synthetic(env):
    database = OUT / "games.sqlite3"
    database.unlink(missing_ok=True)
    run([PYTHON, "manage.py", "generate_games"], {**env, "BENCH_DATABASE_URL": f"sqlite:///{database}"})
    with closing(sqlite3.connect(database)) as connection:
        code, size = connection.execute(
            "SELECT d.npc_code, COUNT(a.id) FROM team_delegation d JOIN team_athlete a ON a.delegation_id = d.id "
            "GROUP BY d.id ORDER BY COUNT(a.id) DESC LIMIT 1"
        ).fetchone()
    return {**env, "DATABASE_URL": f"sqlite:///{database}"}, f"synthetic-2028/{code}", {"athletes": size}, None


PAGES_SNIPPET = """
import gzip, json, sys
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from team.models import Athlete, Delegation
from django.conf import settings
games, npc = settings.FEATURED_DELEGATION.split("/")
delegation = Delegation.objects.get(games__slug=games, npc_code=npc)
athlete = Athlete.objects.filter(delegation=delegation, entries__isnull=False).order_by("slug").first()
event = athlete.entries.order_by("event__slug").first().event
pages = {"team": "/", "filtered": "/?sport=para-swimming&gender=M", "athlete": f"/athletes/{athlete.slug}/",
         "event": f"/events/{event.slug}/", "schedule": "/schedule/", "medals": "/medals/"}
client = Client(HTTP_HOST="127.0.0.1")
report = {"urls": pages, "queries": {}, "html_bytes": {}, "html_gzip_bytes": {}}
for name, url in pages.items():
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    report["queries"][name] = len(queries)
    report["html_bytes"][name] = len(response.content)
    report["html_gzip_bytes"][name] = len(gzip.compress(response.content, 9))
print(json.dumps(report))
"""


def page_facts(env, featured, cached_server):
    env = {**env, "DJANGO_FEATURED_DELEGATION": featured, "DJANGO_PUBLIC_PAGE_CACHE": "0"}
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
    return facts


def measure(label, env, featured, seconds, rounds):
    env = {**env, "DJANGO_FEATURED_DELEGATION": featured}
    cached, uncached = Server(env, page_cache=True), Server(env, page_cache=False)
    try:
        facts = page_facts(env, featured, cached)
        urls = facts["urls"]
        targets = {
            "static file": (cached.url + facts["css_url"], None),
            "minimal Django response": (cached.url + "/robots.txt", None),
            "team page, uncached": (uncached.url + "/", None),
            "team page, from the cache": (cached.url + "/", None),
            "team page, 304 revalidation": (cached.url + "/", {"If-None-Match": facts["etag"]}),
            "filtered team page": (uncached.url + urls["filtered"], None),
            "athlete page": (uncached.url + urls["athlete"], None),
            "schedule": (uncached.url + urls["schedule"], None),
            "medal table": (uncached.url + urls["medals"], None),
        }
        # A cached hit costs no query; a 304 costs none either (both answered from the cache).
        facts["queries"]["team, cache hit"] = 0
        facts["queries"]["team, 304"] = 0
        for url, headers in targets.values():
            fetch(url, headers)  # warm every cache and connection before measuring
        samples = {name: [] for name in targets}
        names = list(targets)
        for round_number in range(rounds):
            order = names[round_number % len(names) :] + names[: round_number % len(names)]
            results = {}
            for name in order:
                url, headers = targets[name]
                results[name] = wrk(url, seconds, headers=headers)
            for name, result in results.items():
                base = results["minimal Django response" if "304" in name else "static file"]["rps"]
                samples[name].append({**result, "ratio": result["rps"] / base})
            print(f"  {label}: round {round_number + 1}/{rounds} done", flush=True)
        summary = {
            name: {
                "rps": statistics.median(s["rps"] for s in runs),
                "p50_ms": statistics.median(s["p50_ms"] for s in runs),
                "p99_ms": statistics.median(s["p99_ms"] for s in runs),
                "ratio": statistics.median(s["ratio"] for s in runs),
                "errors": sum(s["non_2xx_3xx"] + s["socket_errors"] for s in runs),
            }
            for name, runs in samples.items()
        }
        return summary, facts, cached
    except BaseException:
        cached.stop()
        raise
    finally:
        uncached.stop()


def spike(server, seconds):
    result = wrk(server.url + "/", seconds, connections=64)
    return {**result, "p99_over_p50": result["p99_ms"] / result["p50_ms"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=4, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per data set")
    parser.add_argument("--spike", type=int, default=60, help="length of the spike run, in seconds")
    options = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    ensure_wrk()
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], BASE_ENV)
    report = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": machine(), "data": {}}
    for label, prepare in (("article", prepare_article), ("synthetic Games", prepare_synthetic)):
        env, featured, size, load_seconds = prepare(BASE_ENV)
        print(f"Measuring the {label} ({size['athletes']} athletes in {featured})…", flush=True)
        summary, facts, cached = measure(label, env, featured, options.seconds, options.rounds)
        try:
            entry = {"featured": featured, **size, "targets": summary, "pages": facts}
            if load_seconds is not None:
                entry["fixture_load_seconds"] = load_seconds
            if label == "article" and options.spike:
                print(f"Spike: {options.spike} s at 64 connections on the cached team page…", flush=True)
                entry["spike"] = spike(cached, options.spike)
        finally:
            cached.stop()
        report["data"][label] = entry
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


def print_report(report):
    print(f"\nBenchmark {report['date']} on {report['machine']}")
    for label, data in report["data"].items():
        print(f"\n{label}: {data['athletes']} athletes ({data['featured']})")
        print(f"  {'target':32} {'req/s':>9} {'ratio':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for name, row in data["targets"].items():
            basis = " (÷ minimal)" if "304" in name else ""
            print(
                f"  {name:32} {row['rps']:9.0f} {row['ratio']:7.2f} {row['p50_ms']:8.2f} "
                f"{row['p99_ms']:8.2f} {row['errors']:7d}{basis}"
            )
        pages = data["pages"]
        print("  SQL queries per page:", ", ".join(f"{k} {v}" for k, v in pages["queries"].items()))
        print(
            "  HTML bytes (gzip):",
            ", ".join(f"{k} {pages['html_bytes'][k]} ({pages['html_gzip_bytes'][k]})" for k in pages["html_bytes"]),
        )
        print(
            f"  CSS {pages['css_bytes']} B ({pages['css_gzip_bytes']} gzip); first view "
            f"{pages['first_view_gzip_bytes']} B gzip in {pages['first_view_requests']} requests"
        )
        if "fixture_load_seconds" in data:
            print(f"  fixture load from empty, with start-up: {data['fixture_load_seconds']:.2f} s")
        if "spike" in data:
            s = data["spike"]
            print(
                f"  spike: {s['requests']} requests, {s['non_2xx_3xx']} non-2xx/3xx, "
                f"{s['socket_errors']} socket errors, "
                f"p50 {s['p50_ms']:.2f} ms, p99 {s['p99_ms']:.2f} ms (p99/p50 {s['p99_over_p50']:.1f})"
            )


if __name__ == "__main__":
    main()
