"""The site as readers get it, on a spare loopback port, for the checks that need a real server.

`served_site()` builds a fresh SQLite database in a temporary folder (migrate, then the initial
fixtures through `manage.py load_initial_data`), collects the static files into a temporary
STATIC_ROOT, and serves them with gunicorn (gunicorn.conf.py) under production settings:
WhiteNoise's compressed, hashed files, no debug pages, the strict Content-Security-Policy and the
readers' page cache. Two things differ from a deployment, both because this is plain HTTP on
loopback with no proxy in front: no redirect to HTTPS, and the host is 127.0.0.1.

Nothing of the working tree is touched: not db.sqlite3, not staticfiles/, not .secret_key.
gunicorn is stopped when the `with` block ends, however it ends (an error, Ctrl-C or SIGTERM).

Used by .ci/lighthouse and .ci/screenshots.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"

# An athlete of the article's delegation (fixtures/paris-2024-aze.json), with events and a class.
ATHLETE = "roman-saleh"
# The pages the checks look at: the team page, one athlete, the schedule.
PAGES = {
    "team": "/",
    "athlete": f"/athletes/{ATHLETE}/",
    "schedule": "/schedule/",
    # The other languages' pages carry longer words and hreflang alternates that SEO audits check.
    "team-az": "/az/",
    "schedule-ru": "/ru/schedule/",
}

# The settings module gunicorn and manage.py load: production settings, static files collected elsewhere.
SETTINGS_MODULE = """from paralympics.settings import *  # noqa: F403

STATIC_ROOT = {static_root!r}
"""

STARTUP_SECONDS = 60
STOP_SECONDS = 30


def spare_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def site_environment(folder, port):
    """Production settings for loopback: this process's environment without the site's own variables."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "BENCH_DATABASE_URL", "GUNICORN_"))
        and key not in ("PORT", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS")
    }
    return {
        **inherited,
        "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "served_settings",
        "DATABASE_URL": f"sqlite:///{folder / 'site.sqlite3'}",
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback: nothing in front terminates TLS.
        "DJANGO_SSL_REDIRECT": "0",
        # One render slot per thread, so that a page and its neighbours asked at once are all rendered
        # (the default of one answers the second with a 503, which is about floods, not about these checks).
        "DJANGO_RENDER_CONCURRENCY": "4",
        "DJANGO_LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_LOG_LEVEL": "warning",
    }


def manage(env, *args):
    completed = subprocess.run(
        [str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{completed.stdout}{completed.stderr}")


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def stop(process):
    """SIGTERM (gunicorn's graceful stop), then SIGKILL if it is still there after STOP_SECONDS."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def terminated_by_sigterm():
    """Turn SIGTERM into SystemExit while the site runs, so `finally` blocks stop the server."""

    def leave(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, leave)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def served_site(log=sys.stderr):
    """Yield the base URL (http://127.0.0.1:PORT) of the site served by gunicorn; stop it afterwards."""
    with terminated_by_sigterm(), tempfile.TemporaryDirectory(prefix="paralympics-site-") as name:
        folder = Path(name)
        (folder / "served_settings.py").write_text(SETTINGS_MODULE.format(static_root=str(folder / "static")))
        port = spare_port()
        env = site_environment(folder, port)
        started = time.monotonic()
        print("Preparing a fresh database and static files…", file=log, flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "load_initial_data")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        server_log = folder / "gunicorn.log"
        with server_log.open("w") as output:
            process = subprocess.Popen(
                [str(GUNICORN), "--config", "gunicorn.conf.py", "paralympics.wsgi"],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while not answers(url + "/healthz"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start on {url}:\n{server_log.read_text()}")
                time.sleep(0.2)
            print(f"Serving {url} (ready in {time.monotonic() - started:.1f} s)", file=log, flush=True)
            yield url
        finally:
            stop(process)
