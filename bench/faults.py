"""The fault drill: what readers and editors get when Redis, PostgreSQL or a worker fails, and under a flood.

    make faults       (or: .venv/bin/python bench/faults.py [--flood-seconds 60] [--clients 8] [--only 1,3b])

The README promises how the site behaves when things fail (its "When things
fail" list); this drill checks those promises against a running site rather
than against mocks. It starts its own PostgreSQL and Redis on spare loopback
ports, in a directory under bench/out/faults/, loads the article's data, and
serves the site with gunicorn in production mode with three workers. Then:

1. Redis is killed under load for ~10 s and started again on the same port.
2. Redis refuses writes while an editor saves a correction in the admin.
3. PostgreSQL is stopped for ~10 s under probes, then started again.
3b. PostgreSQL is stopped while a worker is recycled (as gunicorn's max_requests does).
4. The gunicorn worker handling an editor's save is killed mid-request, a few times.
5. A flood of filter addresses no cache has seen, while the cached team page is timed.

For each it counts requests and responses >= 500 by kind of page, what
/healthz said during the fault, and "hidden edits" (committed in the
database but not shown to readers within s-maxage + 1 s), prints a table
against the targets, and writes bench/out/faults.json.

The machine's own PostgreSQL (5432) and Redis (6379) are never touched:
everything this drill starts runs in a process group of its own and is
stopped in a `finally`, on error and on Ctrl-C too. PostgreSQL refuses to run
as root, so it runs as the `postgres` OS user (the drill needs root for that).
"""

import argparse
import collections
import contextlib
import http.client
import http.cookiejar
import json
import math
import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import psycopg
import redis
from django_otp.oath import totp

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
FAULTS = OUT / "faults"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
PG_BIN = Path("/usr/lib/postgresql/15/bin")
WORKERS = 3
EDITOR = "drill-editor"
PASSWORD = "fault-drill-password-" + "p" * 20
# Production requires the second factor: the drill's editor has an authenticator app with this key (hex),
# and the drill plays the phone.
TOTP_KEY = "6661756c742d6472696c6c2d746f74702d6b6579"
ATHLETE = "roman-saleh"
# s-maxage (the CDN may keep a page 10 s) plus the one second each process may keep the old generation.
VISIBLE_WITHIN = 11.0
# Each edit gets a spelling no other contains, so "the new name is on the page" cannot match an older one.
SPELLINGS = ["Roman Salekh", "Roman Salex", "Roman Salih", "Roman Saleq", "Roman Salech", "Roman Salyekh"]
SPELLINGS += [f"Roman Saleh-{letter}{letter}" for letter in "bcdfgjkmnprstvwz"]


# --- Plumbing: ports, processes, HTTP ---------------------------------------------------------------------------

# Shared with the benchmark beside this script: a free loopback port, wrk from Debian, the machine's description.
from run import ensure_wrk, free_port, machine  # noqa: E402


def run(command, env=None, timeout=300):
    return subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=timeout)


def manage(env, *args):
    return run([PYTHON, "manage.py", *args], env)


def kill_group(process, sig=signal.SIGKILL):
    """Signal the whole process group a child was started in (start_new_session), ignoring one already gone."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def children(pid):
    """The pids whose parent is `pid`, read from /proc (gunicorn's workers are the master's children)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: fields after the last ")" are fixed.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 302 is an answer to count (the admin's "saved"), not something to follow."""

    def redirect_request(self, *args, **kwargs):
        return None


class LoopbackCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """Production marks cookies Secure; the drill talks plain HTTP on loopback, so send them anyway."""

    def return_ok_secure(self, cookie, request):
        return True


# No proxy from the environment may sit between the drill and loopback.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirects)


def fetch(url, headers=None, timeout=10, opener=OPENER, data=None):
    """(status, headers, body text); status 0 when no HTTP answer came at all (refused, reset, timed out)."""
    request = urllib.request.Request(url, data=data, headers={"Accept-Encoding": "identity", **(headers or {})})
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode(errors="replace")
    except (OSError, http.client.HTTPException) as error:
        return 0, {}, f"{type(error).__name__}: {error}"


def percentile(values, fraction):
    """Nearest-rank percentile: a value that was actually measured."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


# --- The services: PostgreSQL, Redis, gunicorn ------------------------------------------------------------------


class Postgres:
    """A throwaway PostgreSQL 15 cluster on a spare port, run as the `postgres` user in the drill's directory."""

    def __init__(self, workdir):
        self.dir = workdir / "postgres"
        self.data = self.dir / "data"
        self.sockets = self.dir / "run"
        self.log = self.dir / "postgres.log"
        self.port = free_port()
        self.process = None

    def url(self, database="faults"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def as_postgres(self, *command):
        return ["runuser", "-u", "postgres", "--", *map(str, command)]

    def init(self):
        for path in (self.dir, self.data, self.sockets):
            path.mkdir(mode=0o700, exist_ok=True)
            shutil.chown(path, "postgres", "postgres")
        self.log.touch()
        shutil.chown(self.log, "postgres", "postgres")
        initdb = [PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"]
        run(self.as_postgres(*initdb))
        self.start()
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute("CREATE DATABASE faults")

    def start(self):
        command = self.as_postgres(
            PG_BIN / "postgres",
            "-D",
            self.data,
            "-p",
            self.port,
            "-k",
            self.sockets,
            "-c",
            "listen_addresses=127.0.0.1",
        )
        with self.log.open("a") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(self.url("postgres"), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"PostgreSQL did not start; see {self.log}") from None
                time.sleep(0.2)

    def stop(self, mode="fast"):
        """`pg_ctl stop`: "fast" as an operator would (clients cut off, clean shutdown), "immediate" to clean up."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            run(self.as_postgres(PG_BIN / "pg_ctl", "stop", "-D", self.data, "-m", mode, "-w", "-t", "20"), timeout=30)
            self.process.wait(timeout=10)
        except (subprocess.SubprocessError, OSError):
            kill_group(self.process)
            self.process.wait(timeout=10)

    def query(self, sql, *params):
        with psycopg.connect(self.url(), connect_timeout=5) as connection:
            return connection.execute(sql, params).fetchall()


class Redis:
    """A Redis of the drill's own, bounded as the README says production's should be, killed and restarted at will."""

    def __init__(self, workdir):
        self.dir = workdir / "redis"
        self.dir.mkdir(exist_ok=True)
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5, socket_connect_timeout=2)

    def start(self):
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru", "--dir", str(self.dir)]
        with (self.dir / "redis.log").open("a") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"Redis did not start on port {self.port}") from None
                time.sleep(0.1)

    def kill(self):
        """SIGKILL, as a crash or an OOM killer would: no goodbye to connected clients."""
        kill_group(self.process)
        if self.process is not None:
            self.process.wait(timeout=10)

    def memory(self):
        info = self.client().info("memory")
        stats = self.client().info("stats")
        return {
            "used_memory": info["used_memory"],
            "used_memory_peak": info["used_memory_peak"],
            "maxmemory": info["maxmemory"],
            "evicted_keys": stats["evicted_keys"],
            "keys": self.client().dbsize(),
        }


class Site:
    """gunicorn serving the site in production mode; its output (access log, app log, errors) kept in one file."""

    def __init__(self, env, workdir):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        self.log = workdir / "gunicorn.log"
        self.process = None

    def start(self):
        with self.log.open("ab") as log:
            # No control socket: its default path is shared by every gunicorn of the user, other runs' included.
            self.process = subprocess.Popen(
                [GUNICORN, "--config", "gunicorn.conf.py", "--no-control-socket", "paralympics.wsgi"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not self.wait_ready(30):
            raise RuntimeError(f"gunicorn did not answer /healthz with 200 within 30 s; see {self.log}")

    def wait_ready(self, seconds):
        """Until every worker is up and /healthz answers 200 (after a start, or after a worker was killed)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            if len(self.workers()) == WORKERS and fetch(self.url + "/healthz", timeout=2)[0] == 200:
                return True
            time.sleep(0.2)
        return False

    def workers(self):
        return children(self.process.pid)

    def log_offset(self):
        return self.log.stat().st_size

    def log_since(self, offset):
        with self.log.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def stop(self):
        kill_group(self.process, signal.SIGTERM)
        try:
            self.process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            kill_group(self.process)
            self.process.wait(timeout=10)


def log_facts(text):
    """What the log says about a stretch of time: tracebacks, cache warnings, and the first traceback in short."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("Traceback")), None)
    excerpt = []
    if first is not None:
        # A traceback runs until the next log record (app, gunicorn or access log line).
        block = []
        for line in lines[first + 1 :]:
            if re.match(r"(\d{4}-\d\d-\d\d |\[\d{4}-|\d+\.\d+\.\d+\.\d+ )", line):
                break
            block.append(line)
        ours = [line.strip() for line in block if line.lstrip().startswith("File ") and "site-packages" not in line]
        chained = ("Traceback", "The above", "During handling")
        raised = [line for line in block if line[:1].strip() and not line.startswith(chained)]
        # The logged message (the line before), where our code was last, and each exception of the chain.
        excerpt = [lines[first - 1] if first else "", *ours[-1:], *raised]
    return {
        "tracebacks": sum(line.startswith("Traceback") for line in lines),
        "cache_unavailable": sum("Cache unavailable" in line for line in lines),
        "errors_logged": sum(" ERROR " in line for line in lines),
        "first_traceback": "\n".join(excerpt),
    }


# --- Readers: load and probes -----------------------------------------------------------------------------------

# Kinds of request, as the table counts them.
CACHED, REVALIDATE, UNCACHED, ADMIN, HEALTH = "cached", "304", "uncached", "admin", "healthz"


class Sample:
    """One request: when it was sent and answered, what kind of page, its status, whether it was shed."""

    __slots__ = ("body", "end", "kind", "shed", "start", "status", "url")

    def __init__(self, start, end, kind, url, status, shed, body):
        self.start, self.end, self.kind, self.url = start, end, kind, url
        self.status, self.shed, self.body = status, shed, body


def probe(base, kind, path, headers=None, timeout=10):
    """One request, timed and classified; the body is kept only where it is evidence (errors, /healthz)."""
    url = base + (path() if callable(path) else path)
    start = time.monotonic()
    status, response_headers, body = fetch(url, headers, timeout=timeout)
    end = time.monotonic()
    shed = status == 503 and bool(response_headers.get("Retry-After"))
    keep = body[:400] if (status >= 500 or status == 0 or kind == HEALTH) else ""
    return Sample(start, end, kind, url[len(base) :], status, shed, keep)


class Load:
    """Client threads cycling over a list of (kind, path, headers), each recording every answer.

    urllib opens a new connection per request, as many independent readers
    would; a thread's next request starts when its previous one is answered.
    """

    def __init__(self, base, targets, clients):
        self.base, self.targets, self.clients = base, targets, clients
        self.samples = []
        self.stopping = threading.Event()
        self.threads = []

    def __enter__(self):
        for number in range(self.clients):
            thread = threading.Thread(target=self.client, args=(number,), daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def client(self, number):
        position = number
        while not self.stopping.is_set():
            kind, path, headers = self.targets[position % len(self.targets)]
            self.samples.append(probe(self.base, kind, path, headers))
            position += 1

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=15)


def watch_workers(site, stopping, seen):
    """Every worker pid alive during a stretch: each may log a cache warning once per 30 s."""
    while not stopping.is_set():
        seen.update(site.workers())
        stopping.wait(0.2)


def tally(samples):
    """Per kind: requests, statuses, responses >= 500 and, of those, 503s with Retry-After (shed by design)."""
    kinds = {}
    for sample in samples:
        row = kinds.setdefault(sample.kind, {"requests": 0, "statuses": collections.Counter(), "5xx": 0, "shed": 0})
        row["requests"] += 1
        row["statuses"][str(sample.status)] += 1
        if sample.status >= 500:
            row["5xx"] += 1
            row["shed"] += sample.shed
    for row in kinds.values():
        row["statuses"] = dict(sorted(row["statuses"].items()))
    return kinds


def errors_in(samples, *kinds):
    """(responses >= 500, of which shed 503s) among samples of these kinds."""
    bad = [s for s in samples if s.kind in kinds and s.status >= 500]
    return len(bad), sum(s.shed for s in bad)


def first_errors(samples, limit=5):
    """A few responses >= 500 (or no answer), as evidence for the report."""
    bad = [s for s in samples if s.status >= 500 or s.status == 0][:limit]
    return [{"kind": s.kind, "url": s.url, "status": s.status, "shed": s.shed, "body": s.body[:200]} for s in bad]


def within(samples, start, end):
    """Samples sent after `start` and answered before `end`."""
    return [s for s in samples if s.start >= start and s.end <= end]


def timeline(samples, origin):
    """Responses >= 500 per second from `origin` (the fault), by kind: when they happened, not only how many."""
    seconds = collections.defaultdict(collections.Counter)
    for sample in samples:
        if sample.status >= 500 or sample.status == 0:
            seconds[math.floor(sample.start - origin)][f"{sample.kind} {sample.status}"] += 1
    return {second: dict(counts) for second, counts in sorted(seconds.items())}


def health_states(samples):
    """/healthz answers as "status: what failed" with counts, e.g. {"503 cache=error: ConnectionError": 12}."""
    states = collections.Counter()
    for sample in samples:
        if sample.kind != HEALTH:
            continue
        try:
            body = json.loads(sample.body)
            failed = ", ".join(f"{key}={value}" for key, value in body.items() if key != "status" and value != "ok")
        except ValueError:
            failed = "not JSON: " + sample.body[:60]
        states[f"{sample.status} {failed or 'ok'}".strip()] += 1
    return dict(states)


def health_names(sample, check):
    """True when a /healthz answer is the documented 503 naming `check` as failed."""
    try:
        body = json.loads(sample.body)
    except ValueError:
        return False
    return sample.status == 503 and body.get("status") == "error" and str(body.get(check, "")).startswith("error:")


def unique_filter(sports):
    """A team-page address no cache can hold: a fresh name search in one of the delegation's sports."""
    return lambda: f"/?q={random.randrange(16**8):08x}&sport={random.choice(sports)}"


# --- Editors: the admin over HTTP -------------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The (name, value) pairs a browser would submit from the form with the given id.

    Text and hidden inputs, checked boxes, selected options (the first when a
    single select has none selected) and textareas; not buttons, disabled
    fields, or the inline formsets' `__prefix__` templates.
    """

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.pairs = []
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            return
        name = attrs.get("name")
        if not self.inside or "disabled" in attrs:
            return
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.pairs.append((name, attrs.get("value") or "on"))
                return
            self.pairs.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "first": None, "chosen": []}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value") or ""
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in attrs:
                self.select["chosen"].append(value)
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"]
            if not chosen and not self.select["multiple"] and self.select["first"] is not None:
                chosen = [self.select["first"]]
            self.pairs += [(self.select["name"], value) for value in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, value = self.textarea
            # HTML drops one newline right after <textarea>; Django writes one there.
            self.pairs.append((name, value[1:] if value.startswith("\n") else value))
            self.textarea = None

    @classmethod
    def parse(cls, html, form_id):
        parser = cls(form_id)
        parser.feed(html)
        return [(name, value) for name, value in parser.pairs if "__prefix__" not in name]


class Editor:
    """An editor with a session of their own, saving corrections through the admin's change form as a browser would."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar(policy=LoopbackCookiePolicy())
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), NoRedirects, urllib.request.HTTPCookieProcessor(self.jar)
        )

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        return fetch(self.base + path, data=body, opener=self.opener, timeout=20)

    def login(self):
        status, _headers, page = self.request("/admin/login/")
        if status == 302:
            return  # already logged in: the admin sends the editor on
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise RuntimeError(f"admin login page answered {status}")
        form = {
            "csrfmiddlewaretoken": token.group(1),
            "username": EDITOR,
            "password": PASSWORD,
            "otp_token": f"{totp(bytes.fromhex(TOTP_KEY)):06d}",
            "next": "/admin/",
        }
        status, _headers, page = self.request("/admin/login/?next=/admin/", form)
        if status != 302:
            raise RuntimeError(f"admin login answered {status}, not a redirect: {page[:300]}")

    def change_form(self, athlete_id, name, note):
        """The change form as loaded now (so `seen_version` is current), with the name changed and a note given."""
        path = f"/admin/team/athlete/{athlete_id}/change/"
        status, _headers, page = self.request(path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        pairs = FormFields.parse(page, "athlete_form")
        if not any(key == "seen_version" for key, _value in pairs):
            raise RuntimeError("the athlete change form has no seen_version field")
        changed = {"name": name, "correction_note": note}
        pairs = [(key, changed.get(key, value)) for key, value in pairs] + [("_save", "Save")]
        return path, urllib.parse.urlencode(pairs).encode()

    def save(self, athlete_id, name, note):
        """POST the change; returns (status, seconds taken, form errors if the admin showed the form again)."""
        path, body = self.change_form(athlete_id, name, note)
        started = time.monotonic()
        status, _headers, page = fetch(self.base + path, data=body, opener=self.opener, timeout=20)
        seconds = time.monotonic() - started
        errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S) if status == 200 else []
        return status, seconds, [re.sub(r"<[^>]+>", " ", error).strip() for error in errors]

    def cookie_header(self):
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)


class Drill:
    """The services, the site and an editor, with the database facts each scenario checks."""

    def __init__(self, workdir, options):
        self.workdir = workdir
        self.options = options
        self.postgres = Postgres(workdir)
        self.redis = Redis(workdir)
        self.site = None
        self.editor = None
        self.spellings = iter(SPELLINGS)
        self.athlete_id = None
        self.content_type = None
        self.sports = []

    def env(self):
        keep = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
        keep = {key: value for key, value in keep.items() if not key.startswith(("REDIS_", "GUNICORN_", "WEB_"))}
        return {
            **keep,
            "PYTHONUNBUFFERED": "1",
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": "fault-drill-only-secret-" + "f" * 40,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SSL_REDIRECT": "0",  # plain HTTP on loopback
            "DJANGO_LOG_LEVEL": "WARNING",
            "GUNICORN_LOG_LEVEL": "info",
            "WEB_CONCURRENCY": str(WORKERS),
            "DATABASE_URL": self.postgres.url(),
            "REDIS_URL": self.redis.url,
        }

    def set_up(self):
        print(f"PostgreSQL on port {self.postgres.port}, Redis on port {self.redis.port}; files in {self.workdir}")
        self.postgres.init()
        self.redis.start()
        env = self.env()
        started = time.monotonic()
        manage(env, "migrate", "--noinput")
        manage(env, "load_initial_data")
        superuser = ["createsuperuser", "--noinput", "--username", EDITOR, "--email", "drill@example.invalid"]
        run([PYTHON, "manage.py", *superuser], {**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD})
        enrol = (
            "from django.contrib.auth import get_user_model; "
            "from django_otp.plugins.otp_totp.models import TOTPDevice; "
            f"TOTPDevice.objects.create(user=get_user_model().objects.get(username='{EDITOR}'), "
            f"name='Authenticator app', key='{TOTP_KEY}', confirmed=True)"
        )
        manage(env, "shell", "--no-imports", "-c", enrol)
        manage(env, "collectstatic", "--noinput", "-v0")
        print(f"Migrated, loaded, collected in {time.monotonic() - started:.0f} s; starting gunicorn…", flush=True)
        self.site = Site(env, self.workdir)
        self.site.start()
        self.athlete_id = self.postgres.query("SELECT id FROM team_athlete WHERE slug = %s", ATHLETE)[0][0]
        self.content_type = self.postgres.query(
            "SELECT id FROM django_content_type WHERE app_label = 'team' AND model = 'athlete'"
        )[0][0]
        page = fetch(self.site.url + "/")[2]
        self.sports = sorted(set(re.findall(r'name="sport"[^>]*value="([^"]+)"', page)))
        if not self.sports:
            raise RuntimeError("the team page offers no sport filter")
        self.editor = Editor(self.site.url)
        self.editor.login()

    def tear_down(self):
        """Everything started here, in reverse order; each step on its own so one failure stops nothing else.

        A second Ctrl-C (or SIGTERM) during the clean-up would leave servers running, so both wait until it is done.
        """
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for step in (lambda: self.site and self.site.stop(), self.redis.kill, lambda: self.postgres.stop("immediate")):
            try:
                step()
            except Exception as error:  # keep tearing down the rest
                print(f"  (clean-up: {type(error).__name__}: {error})", file=sys.stderr)
        for _ in range(3):
            shutil.rmtree(self.postgres.data, ignore_errors=True)
            if not self.postgres.data.exists():
                break
            time.sleep(1)
        else:
            print(f"  (clean-up: could not remove {self.postgres.data}; the next run will)", file=sys.stderr)

    def next_edit(self, label):
        name = next(self.spellings)
        return name, f"Fault drill ({label}): the federation spells it {name.split(' ', 1)[1]}."

    def stored(self, note):
        """(the athlete's name in the database, how many history rows carry this edit's note)."""
        name = self.postgres.query("SELECT name FROM team_athlete WHERE id = %s", self.athlete_id)[0][0]
        rows = self.postgres.query(
            "SELECT count(*) FROM team_change WHERE content_type_id = %s AND object_id = %s AND correction_note = %s",
            self.content_type,
            str(self.athlete_id),
            note,
        )[0][0]
        return name, rows

    def changed_fields(self, note):
        """The fields the history says the save carrying `note` changed: only the name, if the whole form was posted."""
        rows = self.postgres.query("SELECT fields FROM team_change WHERE correction_note = %s", note)
        return sorted({field for (fields,) in rows for field in fields})

    def visible_after(self, name, since):
        """Seconds from `since` until the team page shows `name`, or None if not within VISIBLE_WITHIN."""
        while True:
            status, _headers, body = fetch(self.site.url + "/", timeout=5)
            if status == 200 and name in body:
                return time.monotonic() - since
            if time.monotonic() - since > VISIBLE_WITHIN:
                return None
            time.sleep(0.2)

    def warm(self):
        """The team page in the cache, and its ETag for conditional requests."""
        fetch(self.site.url + "/")
        status, headers, _body = fetch(self.site.url + "/")
        if status != 200 or not headers.get("ETag"):
            raise RuntimeError(f"the team page answered {status} without an ETag")
        return headers["ETag"]


# --- The scenarios ----------------------------------------------------------------------------------------------


def result(name, samples, healthz="", hidden=None, notes="", targets=(), **details):
    cached, cached_shed = errors_in(samples, CACHED, REVALIDATE)
    uncached, uncached_shed = errors_in(samples, UNCACHED)
    admin, admin_shed = errors_in(samples, ADMIN)
    return {
        "scenario": name,
        "requests": len(samples),
        "5xx_cached_304": cached,
        "5xx_cached_304_shed": cached_shed,
        "5xx_uncached": uncached,
        "5xx_uncached_shed": uncached_shed,
        "5xx_admin": admin,
        "5xx_admin_shed": admin_shed,
        "healthz": healthz,
        "hidden_edits": hidden,
        "notes": notes,
        "targets": list(targets),
        "by_kind": tally(samples),
        "first_errors": first_errors(samples),
        **details,
    }


def health_always_answers(samples):
    """A load balancer reads /healthz's status and JSON: it must never be an error page, whatever fails."""
    broken = [s for s in samples if s.kind == HEALTH and s.status not in (200, 503)]
    statuses = dict(collections.Counter(s.status for s in broken))
    return target("/healthz always answers 200 or 503 (never 500)", not broken, f"{statuses or 'none'}")


def save_sample(saved_at, seconds, status, errors):
    """An editor's save, counted with the admin's requests."""
    return Sample(saved_at - seconds, saved_at, ADMIN, "POST change form", status, False, "; ".join(errors))


def target(description, met, detail):
    return {"target": description, "met": bool(met), "detail": detail}


def redis_outage(drill):
    """Redis killed under load and started again: readers should notice nothing but speed."""
    site, outage = drill.site, drill.options.outage_seconds
    etag = drill.warm()
    targets = [
        (CACHED, "/", None),
        (REVALIDATE, "/", {"If-None-Match": etag}),
        (UNCACHED, "/?sport=para-judo", None),
        (UNCACHED, f"/athletes/{ATHLETE}/", None),
        (UNCACHED, "/schedule/", None),
        (ADMIN, "/admin/login/", None),
        (HEALTH, "/healthz", None),
    ]
    for _kind, path, _headers in targets:
        fetch(site.url + path)  # every page in the cache first: the drill is about Redis, not a cold start
    seen, stopping = set(), threading.Event()
    watcher = threading.Thread(target=watch_workers, args=(site, stopping, seen), daemon=True)
    watcher.start()
    with Load(site.url, targets, drill.options.clients) as load:
        time.sleep(3)
        offset, killed = site.log_offset(), time.monotonic()
        drill.redis.kill()
        print(f"  Redis killed; back in {outage} s…", flush=True)
        time.sleep(outage)
        restarted = time.monotonic()
        drill.redis.start()
        back = time.monotonic()
        time.sleep(5)
    stopping.set()
    watcher.join()
    log = log_facts(site.log_since(offset))
    samples = load.samples
    during = within(samples, killed + 0.5, restarted)
    after = [s for s in samples if s.start >= back]
    uncached_during = [s for s in during if s.kind == UNCACHED]
    not_200 = collections.Counter(s.status for s in uncached_during if s.status != 200)
    health_during = [s for s in during if s.kind == HEALTH]
    health_ok = sum(health_names(s, "cache") for s in health_during)
    health_after = [s for s in after if s.kind == HEALTH]
    recovered = next((s.end - back for s in health_after if s.status == 200), None)
    late_failures = [s for s in health_after if s.status != 200 and s.start - back > (recovered or 0)]
    cached, _shed = errors_in(samples, CACHED, REVALIDATE)
    uncached, uncached_shed = errors_in(samples, UNCACHED)
    window = restarted - killed + 5
    allowed = len(seen) * math.ceil(window / 30)
    return result(
        "1. Redis killed and restarted under load",
        samples,
        healthz=", ".join(f"{k} ×{v}" for k, v in health_states(health_during).items()),
        notes=(
            f"{drill.options.clients} clients; {outage} s outage; uncached during outage "
            f"{len(uncached_during) - sum(not_200.values())}/{len(uncached_during)} 200; /healthz 200 again "
            f"{recovered if recovered is None else f'{recovered:.1f}'} s after restart; log from kill to end: "
            f"{log['tracebacks']} Traceback, {log['cache_unavailable']} 'Cache unavailable' ({len(seen)} workers)"
        ),
        targets=[
            target("0 responses ≥ 500 on cached pages and 304s", cached == 0, f"{cached}"),
            target("0 responses ≥ 500 on uncached pages", uncached == 0, f"{uncached} ({uncached_shed} shed 503s)"),
            target(
                "uncached pages 200 while Redis is down",
                not not_200,
                f"{len(uncached_during)} requests, not 200: {dict(not_200) or 'none'}",
            ),
            target(
                "/healthz 503 naming the cache while Redis is down",
                health_during and health_ok == len(health_during),
                f"{health_ok}/{len(health_during)}",
            ),
            target(
                "/healthz 200 after Redis is back",
                recovered is not None and not late_failures,
                f"first 200 after {recovered if recovered is None else round(recovered, 2)} s, "
                f"{len(late_failures)} non-200 later",
            ),
            health_always_answers(samples),
            target("no Traceback in the log during the outage", log["tracebacks"] == 0, f"{log['tracebacks']}"),
            target(
                "'Cache unavailable' at most once per 30 s per process",
                log["cache_unavailable"] <= allowed,
                f"{log['cache_unavailable']} lines, {len(seen)} worker processes over {window:.0f} s (≤ {allowed})",
            ),
        ],
        log=log,
        outage_seconds=round(restarted - killed, 2),
        workers_seen=sorted(seen),
        errors_by_second_from_kill=timeline(samples, killed),
        restarted_at_second=round(restarted - killed, 2),
    )


def redis_refusing_writes(drill):
    """Redis answers reads but refuses every write (out of memory, no eviction) while an editor saves.

    Writes stay refused for 11 s from the start, so /healthz is seen both
    right away and once anything it wrote before would have expired (its
    probe key lives 10 s); the new name must show while writes are refused
    (pages rendered without storing them) and still show once they are back.
    """
    site, client = drill.site, drill.redis.client()
    name, note = drill.next_edit("Redis refusing writes")
    drill.warm()
    offset = site.log_offset()
    client.config_set("maxmemory-policy", "noeviction")
    client.config_set("maxmemory", 1)
    refused_at = time.monotonic()
    try:
        client.set("faults:probe", "x")
        refused = "no: a write succeeded"
    except redis.ResponseError as error:
        refused = str(error).split(".")[0]
    samples, stopping = [], threading.Event()
    poller = threading.Thread(target=paced_probe, args=(site.url, stopping, samples, 0.5, 0.5), daemon=True)
    poller.start()
    try:
        status, seconds, errors = drill.editor.save(drill.athlete_id, name, note)
        saved_at = time.monotonic()
        samples.append(save_sample(saved_at, seconds, status, errors))
        stored_name, history_rows = drill.stored(note)
        committed = stored_name == name
        visible_refused = drill.visible_after(name, saved_at) if committed else None
        time.sleep(max(0, refused_at + VISIBLE_WITHIN - time.monotonic()))
    finally:
        stopping.set()
        poller.join()
        client.config_set("maxmemory", 64 * 1024 * 1024)
        client.config_set("maxmemory-policy", "allkeys-lru")
    restored_at = time.monotonic()
    visible_restored = drill.visible_after(name, restored_at) if committed else None
    hidden = int(committed and (visible_refused is None or visible_restored is None))
    log = log_facts(site.log_since(offset))
    health = [s for s in samples if s.kind == HEALTH]
    first_503 = next((s.start - refused_at for s in health if health_names(s, "cache")), None)
    return result(
        "2. Redis refusing writes during a save",
        samples,
        healthz=", ".join(f"{k} ×{v}" for k, v in health_states(health).items()),
        hidden=hidden,
        notes=(
            f"write refused: {refused}; save answered {status} in {seconds * 1000:.0f} ms; committed: {committed}, "
            f"{history_rows} history row changing {drill.changed_fields(note)}; new name visible "
            f"{seconds_or_never(visible_refused)} after the save "
            f"(writes refused), {seconds_or_never(visible_restored)} after writes came back; /healthz first 503 "
            f"{seconds_or_never(first_503)} after writes were refused; log: {log['tracebacks']} Traceback"
        ),
        targets=[
            target(
                "/healthz 503 naming the cache while Redis refuses writes (README)",
                health and all(health_names(s, "cache") for s in health),
                f"{health_states(health)}; first 503 {seconds_or_never(first_503)} after writes were refused",
            ),
            health_always_answers(samples),
            target("the save answers 302, not 500", status == 302, f"{status} {errors or ''}".strip()),
            target("the save is committed", committed, f"database has {stored_name!r}"),
            target(
                f"the new name visible within {VISIBLE_WITHIN:.0f} s, writes refused and back (0 hidden edits)",
                committed and hidden == 0,
                f"{seconds_or_never(visible_refused)} and {seconds_or_never(visible_restored)}",
            ),
        ],
        log=log,
        write_refused=refused,
    )


def seconds_or_never(seconds):
    return "never" if seconds is None else f"{seconds:.1f} s"


def postgres_outage(drill):
    """PostgreSQL stopped for ~10 s under probes: cached pages go on; the rest may fail, then must all recover."""
    site, outage = drill.site, drill.options.outage_seconds
    etag = drill.warm()
    fetch(site.url + "/schedule/")  # in the cache too
    targets = [
        (CACHED, "/", None),
        (REVALIDATE, "/", {"If-None-Match": etag}),
        (CACHED, "/schedule/", None),
        (UNCACHED, unique_filter(drill.sports), None),
        (ADMIN, "/admin/login/", None),
        (HEALTH, "/healthz", None),
    ]
    with Load(site.url, targets, max(4, drill.options.clients // 2)) as load:
        time.sleep(3)
        offset, stopped = site.log_offset(), time.monotonic()
        # Workers recycled during the outage (gunicorn's max_requests) start without a generation read.
        before, seen, stopping = set(site.workers()), set(), threading.Event()
        watcher = threading.Thread(target=watch_workers, args=(site, stopping, seen), daemon=True)
        watcher.start()
        drill.postgres.stop("fast")
        down = time.monotonic()
        print(f"  PostgreSQL stopped in {down - stopped:.1f} s; back in {outage} s…", flush=True)
        # The editor, logged in before, tries the admin during the outage.
        tried = time.monotonic()
        status, _headers, _page = drill.editor.request("/admin/team/athlete/")
        admin_down = Sample(tried, time.monotonic(), ADMIN, "/admin/team/athlete/ (logged in)", status, False, "")
        time.sleep(max(0, outage - (time.monotonic() - stopped)))
        restarted = time.monotonic()
        stopping.set()
        watcher.join()
        drill.postgres.start()
        back = time.monotonic()
        time.sleep(5)
    samples = [*load.samples, admin_down]
    replaced = len(seen - before)
    log = log_facts(site.log_since(offset))
    during = within(samples, down + 0.5, restarted)
    after = [s for s in samples if s.start >= back]
    states_during = {kind: tally(during).get(kind, {}).get("statuses", {}) for kind in (UNCACHED, ADMIN)}
    health_during = [s for s in during if s.kind == HEALTH]
    health_ok = sum(health_names(s, "database") for s in health_during)
    # Recovery: how long after PostgreSQL accepted connections each kind's last failure was answered.
    last_failure = {}
    for sample in after:
        ok = sample.status == 200 or (sample.kind == REVALIDATE and sample.status == 304)
        if not ok and not sample.shed:
            last_failure[sample.kind] = max(last_failure.get(sample.kind, 0), sample.end - back)
    recovery = {kind: f"{seconds:.2f} s" for kind, seconds in last_failure.items()} or "none"
    # Shed 503s are the render limit at work (unique addresses always render), not a failure to recover.
    settled = [s for s in after if s.start >= back + 1 and not s.shed]
    still_failing = [s for s in settled if not (s.status == 200 or (s.kind == REVALIDATE and s.status == 304))]
    # The editor's session (kept in the database) survives the restart.
    status, _headers, _page = drill.editor.request("/admin/team/athlete/")
    now = time.monotonic()
    samples.append(Sample(now, now, ADMIN, "/admin/team/athlete/ (logged in, after restart)", status, False, ""))
    admin_after = status
    name, note = drill.next_edit("after a PostgreSQL restart")
    status, seconds, errors = drill.editor.save(drill.athlete_id, name, note)
    saved_at = time.monotonic()
    samples.append(save_sample(saved_at, seconds, status, errors))
    stored_name, history_rows = drill.stored(note)
    committed = stored_name == name
    visible = drill.visible_after(name, saved_at) if committed else None
    hidden = int(committed and visible is None)
    cached, _shed = errors_in(samples, CACHED, REVALIDATE)
    starts = [s.start - stopped for s in samples if s.kind in (CACHED, REVALIDATE) and s.status >= 500]
    cached_detail = f"{cached}" + (f", from {min(starts):.1f} s after the stop" if starts else "")
    return result(
        "3. PostgreSQL stopped and restarted",
        samples,
        healthz=", ".join(f"{k} ×{v}" for k, v in health_states(health_during).items()),
        hidden=hidden,
        notes=(
            f"during the outage: uncached {states_during[UNCACHED]}, admin login {states_during[ADMIN]}, "
            f"logged-in admin {admin_down.status}, after restart {admin_after}; last failure after restart by kind "
            f"{recovery}; workers started during the outage: {replaced}; edit after restart answered {status}, "
            f"visible {'never' if visible is None else f'after {visible:.1f} s'}; log: {log['tracebacks']} Traceback"
        ),
        targets=[
            target(
                "0 responses ≥ 500 on cached pages and 304s",
                cached == 0,
                f"{cached_detail}; {replaced} workers started during the outage",
            ),
            target(
                "/healthz 503 naming the database while it is down",
                health_during and health_ok == len(health_during),
                f"{health_ok}/{len(health_during)}",
            ),
            target(
                "every page 200 (or 304; shed 503s aside) from 1 s after PostgreSQL is back",
                not still_failing,
                f"{len(still_failing)} failures: {first_errors(still_failing, 3) or 'none'}",
            ),
            health_always_answers(samples),
            target("an edit after the restart answers 302", status == 302, f"{status} {errors or ''}".strip()),
            target(
                f"that edit visible within {VISIBLE_WITHIN:.0f} s (0 hidden edits)",
                committed and hidden == 0,
                f"committed {committed}, {history_rows} history row, "
                + ("never visible" if visible is None else f"visible after {visible:.1f} s"),
            ),
        ],
        log=log,
        stop_seconds=round(down - stopped, 2),
        errors_by_second_from_stop=timeline(samples, stopped),
        restarted_at_second=round(restarted - stopped, 2),
        outage_seconds=round(back - down, 2),
    )


def connection_owner(server_port, client_port, pids, seconds=2.0):
    """The pid holding the server side of our connection: the worker that accepted it, hence handles the save.

    /proc/net/tcp gives the socket's inode once a process has accepted it;
    the worker is the one with a file descriptor on that inode.
    """
    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        inode = next(
            (
                fields[9]
                for fields in (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
                if fields[1] == local and fields[2] == remote and fields[9] != "0"
            ),
            None,
        )
        if inode:
            for pid in pids:
                try:
                    descriptors = os.listdir(f"/proc/{pid}/fd")
                except OSError:
                    continue
                for fd in descriptors:
                    try:
                        if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                            return pid
                    except OSError:
                        continue
        time.sleep(0.002)
    return None


def postgres_down_worker_recycled(drill):
    """PostgreSQL down while a worker is recycled, as gunicorn's max_requests does every ~2,000 requests.

    Scenario 3 meets a recycling only by chance (it depends on how many
    requests each worker has served); here it is certain. The new worker has
    never read the generation: the README says cached pages keep being served
    while the database is down, so they should come from it too.
    """
    site = drill.site
    etag = drill.warm()
    with Load(site.url, [(CACHED, "/", None)], 6):
        time.sleep(1)  # every worker has read the generation and found the page cached
    offset, stopped = site.log_offset(), time.monotonic()
    drill.postgres.stop("fast")
    old = set(site.workers())
    os.kill(random.choice(sorted(old)), signal.SIGTERM)  # a graceful exit, as after max_requests
    deadline = time.monotonic() + 30
    while not (set(site.workers()) - old and len(site.workers()) == WORKERS):
        if time.monotonic() > deadline:
            raise RuntimeError("gunicorn did not replace the recycled worker within 30 s")
        time.sleep(0.1)
    new, replaced_at = sorted(set(site.workers()) - old), time.monotonic()
    time.sleep(1)  # the new worker loads the application before it accepts connections
    targets = [(CACHED, "/", None), (REVALIDATE, "/", {"If-None-Match": etag}), (HEALTH, "/healthz", None)]
    with Load(site.url, targets, 4) as load:
        time.sleep(4)
    drill.postgres.start()
    if not site.wait_ready(30):
        raise RuntimeError("the site did not recover after PostgreSQL came back")
    samples = load.samples
    log = log_facts(site.log_since(offset))
    cached, _shed = errors_in(samples, CACHED, REVALIDATE)
    statuses = {kind: row["statuses"] for kind, row in tally(samples).items() if kind != HEALTH}
    return result(
        "3b. PostgreSQL down, a worker recycled",
        samples,
        healthz=", ".join(f"{k} ×{v}" for k, v in health_states(samples).items()),
        notes=(
            f"worker {new} started {replaced_at - stopped:.1f} s after PostgreSQL stopped; "
            f"answers {statuses}; log: {log['tracebacks']} Traceback"
        ),
        targets=[
            target(
                "0 responses ≥ 500 on cached pages and 304s, from a worker started during the outage too",
                cached == 0,
                f"{cached} of {sum(s.kind in (CACHED, REVALIDATE) for s in samples)}",
            ),
            health_always_answers(samples),
        ],
        log=log,
        new_workers=new,
    )


def post_save(drill, name, note, kill_after=None):
    """Send an editor's save on a connection of our own and SIGKILL the worker handling it, `kill_after` seconds
    after sending, or "commit": as soon as the save's history row is committed (None: no kill).

    Returns (answer, seconds from sending to the answer or the kill, whether
    the answer had already arrived when the kill was sent, whether we knew
    which worker to kill).
    """
    site = drill.site
    path, body = drill.editor.change_form(drill.athlete_id, name, note)
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=20)
    try:
        connection.connect()
        owner = connection_owner(site.port, connection.sock.getsockname()[1], site.workers())
        started = time.monotonic()
        connection.putrequest("POST", path)
        connection.putheader("Content-Type", "application/x-www-form-urlencoded")
        connection.putheader("Content-Length", str(len(body)))
        connection.putheader("Cookie", drill.editor.cookie_header())
        connection.endheaders(body)
        answered_first = False
        if kill_after == "commit":
            wait_for_commit(drill, note, started + 10)
        elif kill_after is not None:
            time.sleep(kill_after)
        if kill_after is not None:
            answered_first = bool(select.select([connection.sock], [], [], 0)[0])
            os.kill(owner or random.choice(site.workers()), signal.SIGKILL)
        ended = time.monotonic()
        try:
            response = connection.getresponse()
            response.read()
            answer = str(response.status)
        except (OSError, http.client.HTTPException) as error:
            answer = type(error).__name__
        if kill_after is None:
            ended = time.monotonic()
        return answer, ended - started, answered_first, owner is not None
    finally:
        connection.close()


def wait_for_commit(drill, note, deadline):
    """Until the history row of the save carrying `note` is committed (the same transaction as the change)."""
    with psycopg.connect(drill.postgres.url(), autocommit=True) as connection:
        while time.monotonic() < deadline:
            found = connection.execute("SELECT 1 FROM team_change WHERE correction_note = %s", (note,)).fetchone()
            if found:
                return
            time.sleep(0.001)


def worker_killed_during_save(drill):
    """SIGKILL the worker handling an editor's save, at several points of the save; nothing may be lost or half-done.

    Two uninterrupted saves first time a save on this machine; the kills then
    land from the moment the POST is sent to most of a save's usual length
    (before the commit, on a busy machine), and the last one as soon as the
    database shows the save committed, between the commit and the answer
    (the editor may then see an error although the change is saved).
    """
    site = drill.site
    timings = []
    for _ in range(2):
        name, note = drill.next_edit("timing a save")
        answer, seconds, _answered, _known = post_save(drill, name, note)
        if answer != "302":
            raise RuntimeError(f"an uninterrupted save answered {answer}")
        timings.append(seconds)
    typical = max(timings)
    attempts = drill.options.kill_attempts
    delays = [typical * index / max(1, attempts) for index in range(attempts - 1)] + ["commit"]
    offset = site.log_offset()
    samples, rows = [], []
    for delay in delays:
        name, note = drill.next_edit("worker killed during a save")
        started = time.monotonic()
        answer, kill_after, answered_first, known = post_save(drill, name, note, kill_after=delay)
        killed_at = started + kill_after
        status = int(answer) if answer.isdigit() else 0
        samples.append(Sample(started, time.monotonic(), ADMIN, "POST change form", status, False, answer))
        stored_name, history_rows = drill.stored(note)
        committed = stored_name == name
        half_saved = committed != (history_rows > 0)
        visible = drill.visible_after(name, killed_at) if committed else None
        rows.append(
            {
                "kill_after_ms": round(kill_after * 1000, 1),
                "killed": "the worker handling the save" if known else "a worker (owner not found)",
                "response_already_sent": answered_first,
                "answer": answer,
                "committed": committed,
                "history_rows": history_rows,
                "half_saved": half_saved,
                "visible_after_s": None if visible is None else round(visible, 2),
                "hidden": committed and visible is None,
            }
        )
        print(
            f"  kill {kill_after * 1000:.0f} ms after the POST (answer already in: {answered_first}): {answer}, "
            f"committed {committed}, history rows {history_rows}, visible after {rows[-1]['visible_after_s']} s",
            flush=True,
        )
        if not site.wait_ready(30):
            raise RuntimeError("gunicorn did not replace the killed worker within 30 s")
    log = log_facts(site.log_since(offset))
    hidden = sum(row["hidden"] for row in rows)
    half = sum(row["half_saved"] for row in rows)
    committed = sum(row["committed"] for row in rows)
    return result(
        "4. Worker killed during a save",
        samples,
        healthz="—",
        hidden=hidden,
        notes=(
            f"{len(rows)} kills at {', '.join(str(round(r['kill_after_ms'])) for r in rows)} ms after the POST "
            f"(a save takes ~{typical * 1000:.0f} ms); {committed} committed, {len(rows) - committed} rolled back; "
            f"answers {dict(collections.Counter(r['answer'] for r in rows))}; half-saved {half}"
        ),
        targets=[
            target("0 hidden edits (committed ⇒ visible within 11 s)", hidden == 0, f"{hidden} of {committed}"),
            target("no half-saved record (name and history row together)", half == 0, f"{half}"),
        ],
        attempts=rows,
        log=log,
    )


WRK_SCRIPT = """
-- Every request a team-page address never asked before: a fresh name search in one of the sports.
local sports = {%s}
local threads = {}
local counter = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("number", #threads)
end

function init(args)
  math.randomseed(os.time() + number * 7919)
  ok, redirects, client_errors, shed, other_5xx = 0, 0, 0, 0, 0
end

function request()
  counter = counter + 1
  local q = string.format("%%d-%%x-%%x", number, counter, math.random(0, 2147483647))
  return wrk.format("GET", "/?q=" .. q .. "&sport=" .. sports[math.random(#sports)])
end

function response(status, headers, body)
  if status < 300 then ok = ok + 1
  elseif status < 400 then redirects = redirects + 1
  elseif status < 500 then client_errors = client_errors + 1
  elseif status == 503 and (headers["Retry-After"] or headers["retry-after"]) then shed = shed + 1
  else other_5xx = other_5xx + 1 end
end

function done(summary, latency, requests)
  local totals = {ok = 0, redirects = 0, client_errors = 0, shed = 0, other_5xx = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do totals[name] = totals[name] + thread:get(name) end
  end
  local parts = {}
  for name, value in pairs(totals) do table.insert(parts, string.format('"%%s": %%d', name, value)) end
  io.write("STATUSES {" .. table.concat(parts, ", ") .. "}\\n")
end
"""


def paced_probe(base, stopping, samples, interval=0.01, health_interval=1.0):
    """The cached team page, one request at a time every `interval` s, and /healthz every `health_interval` s."""
    next_health = time.monotonic()
    while not stopping.is_set():
        started = time.monotonic()
        samples.append(probe(base, CACHED, "/"))
        if started >= next_health:
            samples.append(probe(base, HEALTH, "/healthz"))
            next_health = started + health_interval
        stopping.wait(max(0, interval - (time.monotonic() - started)))


def flood(drill):
    """64 connections asking for addresses no cache has seen, while a reader asks for the cached team page."""
    site, seconds = drill.site, drill.options.flood_seconds
    drill.warm()
    script = drill.workdir / "flood.lua"
    script.write_text(WRK_SCRIPT % ", ".join(f'"{sport}"' for sport in drill.sports))
    # Several connections at once reach every worker, so none serves its first request while being timed.
    with Load(site.url, [(CACHED, "/", None)], 6):
        time.sleep(1)
    before = drill.redis.memory()
    idle, stopping = [], threading.Event()
    prober = threading.Thread(target=paced_probe, args=(site.url, stopping, idle), daemon=True)
    prober.start()
    time.sleep(10)
    stopping.set()
    prober.join()
    offset = site.log_offset()
    during, stopping = [], threading.Event()
    prober = threading.Thread(target=paced_probe, args=(site.url, stopping, during), daemon=True)
    command = ["wrk", "-t2", "-c64", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), site.url + "/"]
    wrk = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        prober.start()
        output, _ = wrk.communicate(timeout=seconds + 30)
    finally:
        kill_group(wrk)
        stopping.set()
        prober.join()
    after = drill.redis.memory()
    log = log_facts(site.log_since(offset))
    statuses = json.loads(re.search(r"STATUSES (\{.*\})", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    found = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    # wrk prints the socket errors line only when there were some.
    names = ("connect", "read", "write", "timeout")
    socket_errors = dict(zip(names, map(int, found.groups()), strict=True)) if found else {}
    idle_ms = [1000 * (s.end - s.start) for s in idle if s.kind == CACHED and s.status == 200]
    flood_ms = [1000 * (s.end - s.start) for s in during if s.kind == CACHED and s.status == 200]
    idle_p50, idle_p99 = percentile(idle_ms, 0.5), percentile(idle_ms, 0.99)
    flood_p50, flood_p99 = percentile(flood_ms, 0.5), percentile(flood_ms, 0.99)
    ratio = flood_p99 / idle_p99
    probe_failures = [s for s in during if s.kind == CACHED and s.status != 200]
    health = [s for s in during if s.kind == HEALTH]
    bounded = after["used_memory"] <= after["maxmemory"] and after["used_memory_peak"] <= after["maxmemory"] * 1.05
    row = result(
        "5. Flood of unique filter URLs",
        during,
        healthz=", ".join(f"{k} ×{v}" for k, v in health_states(health).items()),
        notes=(
            f"{seconds} s × 64 conns: {requests} flood requests, {statuses['ok']} rendered, {statuses['shed']} shed "
            f"503, {statuses['other_5xx']} other ≥500, socket errors {sum(socket_errors.values())}; cached team page "
            f"p50/p99 idle {idle_p50:.1f}/{idle_p99:.1f} ms, flood {flood_p50:.1f}/{flood_p99:.1f} ms "
            f"(p99 ×{ratio:.1f}); Redis used_memory {before['used_memory'] / 2**20:.1f} → "
            f"{after['used_memory'] / 2**20:.1f} MiB (peak {after['used_memory_peak'] / 2**20:.1f}, max "
            f"{after['maxmemory'] / 2**20:.0f}), {after['evicted_keys'] - before['evicted_keys']} evicted"
        ),
        targets=[
            target(
                "cached team page p99 during the flood ≤ 10 × idle p99",
                ratio <= 10,
                f"{flood_p99:.1f} ms vs {idle_p99:.1f} ms idle: ×{ratio:.1f}"
                + ("" if ratio <= 10 else f", missed by {flood_p99 - 10 * idle_p99:.1f} ms"),
            ),
            target("the cached team page never fails during the flood", not probe_failures, f"{len(probe_failures)}"),
            health_always_answers(during),
            target("no ≥ 500 but the shed 503s", statuses["other_5xx"] == 0, f"{statuses['other_5xx']}"),
            target(
                "Redis memory bounded (≤ maxmemory)",
                bounded,
                f"used {after['used_memory'] / 2**20:.1f} MiB, peak {after['used_memory_peak'] / 2**20:.1f} MiB, "
                f"max {after['maxmemory'] / 2**20:.0f} MiB",
            ),
        ],
        log=log,
        flood={"requests": requests, "statuses": statuses, "socket_errors": socket_errors},
        latency_ms={"idle_p50": idle_p50, "idle_p99": idle_p99, "flood_p50": flood_p50, "flood_p99": flood_p99},
        redis_before=before,
        redis_after=after,
    )
    # The table counts the flood's own requests too: its shed 503s and other errors are uncached pages.
    row["requests"] += requests
    row["5xx_uncached"] += statuses["shed"] + statuses["other_5xx"]
    row["5xx_uncached_shed"] += statuses["shed"]
    return row


SCENARIOS = {
    "1": redis_outage,
    "2": redis_refusing_writes,
    "3": postgres_outage,
    "3b": postgres_down_worker_recycled,
    "4": worker_killed_during_save,
    "5": flood,
}


# --- The report -------------------------------------------------------------------------------------------------


def with_shed(count, shed):
    return f"{count}" + (f" ({shed} shed)" if shed else "")


def print_report(report):
    load = ", ".join(f"{value:.1f}" for value in report["load_average_before"])
    print(f"\nFault drill {report['date']} on {report['machine']}, {report['seconds']:.0f} s (load average {load})")
    header = ["scenario", "requests", "≥500 cached/304", "≥500 uncached", "≥500 admin", "healthz during fault"]
    header.append("hidden edits")
    rows = [
        [
            row["scenario"],
            str(row["requests"]),
            with_shed(row["5xx_cached_304"], row["5xx_cached_304_shed"]),
            with_shed(row["5xx_uncached"], row["5xx_uncached_shed"]),
            with_shed(row["5xx_admin"], row["5xx_admin_shed"]),
            row["healthz"] or "—",
            "—" if row["hidden_edits"] is None else str(row["hidden_edits"]),
        ]
        for row in report["scenarios"]
    ]
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]
    for line in [header, *rows]:
        print("  " + " | ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    print("\n(“shed” = 503 with Retry-After, the site's render limit at work)")
    for row in report["scenarios"]:
        print(f"\n{row['scenario']}\n  notes: {row['notes']}")
        for item in row["targets"]:
            print(f"  [{'met' if item['met'] else 'MISSED'}] {item['target']}: {item['detail']}")
        if row.get("log", {}).get("first_traceback"):
            print("  first traceback in the log:")
            print("    " + "\n    ".join(row["log"]["first_traceback"].splitlines()))
    missed = [item for row in report["scenarios"] for item in row["targets"] if not item["met"]]
    total = sum(len(row["targets"]) for row in report["scenarios"])
    print(f"\n{total - len(missed)} of {total} targets met. Full results: {OUT / 'faults.json'}")


def clean_previous_runs():
    """Remove earlier runs' directories, stopping a PostgreSQL left behind by a drill that was killed outright.

    A directory whose drill is still running (another `make faults`) is left alone.
    """
    for old in FAULTS.glob("run-*"):
        try:
            os.kill(int((old / "drill.pid").read_text()), 0)
            continue  # that drill is alive
        except (OSError, ValueError):
            pass
        data = old / "postgres" / "data"
        if (data / "postmaster.pid").exists():
            subprocess.run(
                ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate"],
                capture_output=True,
                timeout=30,
            )
        shutil.rmtree(old, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flood-seconds", type=int, default=60, help="length of the flood (scenario 5)")
    parser.add_argument("--outage-seconds", type=int, default=10, help="how long Redis and PostgreSQL stay down")
    parser.add_argument("--clients", type=int, default=8, help="client threads loading the site in scenario 1")
    parser.add_argument("--kill-attempts", type=int, default=5, help="saves interrupted by a kill (scenario 4)")
    parser.add_argument("--only", default=",".join(SCENARIOS), help="scenarios to run, e.g. 1,3b")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    options = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("The drill runs PostgreSQL as the postgres user, which needs root (runuser).")
    chosen = [key.strip() for key in options.only.split(",") if key.strip()]
    if unknown := [key for key in chosen if key not in SCENARIOS]:
        sys.exit(f"unknown scenario(s) {unknown}; choose among {list(SCENARIOS)}")
    ensure_wrk()
    FAULTS.mkdir(parents=True, exist_ok=True)
    clean_previous_runs()
    workdir = Path(tempfile.mkdtemp(prefix="run-", dir=FAULTS))
    workdir.chmod(0o755)  # the postgres user must reach its data directory inside
    (workdir / "drill.pid").write_text(str(os.getpid()))
    # SIGTERM (a CI runner giving up) cleans up like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    started = time.monotonic()
    drill = Drill(workdir, options)
    report = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": machine(), "scenarios": []}
    # Other work on the machine moves latencies: say how busy it was.
    report["load_average_before"] = os.getloadavg()
    try:
        drill.set_up()
        for key in chosen:
            function = SCENARIOS[key]
            print(f"Scenario {key}: {function.__doc__.splitlines()[0]}", flush=True)
            report["scenarios"].append(function(drill))
    finally:
        drill.tear_down()
    report["seconds"] = time.monotonic() - started
    report["load_average_after"] = os.getloadavg()
    report["logs"] = str(workdir)
    (OUT / "faults.json").write_text(json.dumps(report, indent=2, default=str))
    print_report(report)
    if options.strict and any(not item["met"] for row in report["scenarios"] for item in row["targets"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
