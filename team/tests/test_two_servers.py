"""Two gunicorn servers sharing PostgreSQL and Redis: an editor's save on one shows on the other at once,
and a photo uploaded through one is served by the other.

Runs when DATABASE_URL points at PostgreSQL and REDIS_URL is set (CI's second pass);
it creates and drops a database of its own and uses its own Redis database number.
"""

import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from PIL import Image

pytestmark = [pytest.mark.browser]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
SERVICES = DATABASE_URL.startswith(("postgres://", "postgresql://")) and REDIS_URL
DATABASE_NAME = "paralympics_two_servers"
PASSWORD = "a-long-enough-password-for-two-servers"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def with_path(url, path):
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def fetch(url, headers=None):
    status, headers, body = fetch_bytes(url, headers)
    return status, headers, body.decode()


def fetch_bytes(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def shared_services():
    if not SERVICES:
        pytest.skip("needs DATABASE_URL=postgres://… and REDIS_URL (CI's PostgreSQL pass sets both)")
    import psycopg
    import redis

    admin_url = DATABASE_URL
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE_NAME} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE_NAME}")
    redis_url = with_path(REDIS_URL, "/2")
    redis.Redis.from_url(redis_url).flushdb()
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")},
        "DATABASE_URL": with_path(DATABASE_URL, f"/{DATABASE_NAME}"),
        "REDIS_URL": redis_url,
        "DJANGO_SECRET_KEY": "two-servers-share-this-secret-" + "x" * 30,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "WEB_CONCURRENCY": "1",
    }
    yield env
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE_NAME} WITH (FORCE)")


@pytest.fixture
def two_servers(shared_services):
    env = shared_services
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput"], ["load_initial_data"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(manage + command, cwd=settings.BASE_DIR, env=env, check=True, capture_output=True, timeout=180)
    create_user = (
        f"from django.contrib.auth.models import User; User.objects.create_superuser('chief', password='{PASSWORD}')"
    )
    subprocess.run([*manage, "shell", "-c", create_user], cwd=settings.BASE_DIR, env=env, check=True, timeout=60)
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    servers, processes = [], []
    for _ in range(2):
        port = free_port()
        process = subprocess.Popen(
            [gunicorn, "--config", "gunicorn.conf.py", "paralympics.wsgi"],
            cwd=settings.BASE_DIR,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        servers.append(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        for server in servers:
            while True:
                try:
                    if fetch(server + "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, f"{server} did not start"
                time.sleep(0.2)
        yield servers
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def test_a_save_on_one_server_shows_on_the_other_at_once(two_servers, page, monkeypatch):
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)  # no ORM here: all goes over HTTP
    first, second = two_servers

    # Both servers warm their caches with the team page.
    for server in (first, second):
        status, headers, body = fetch(server + "/")
        assert status == 200
        assert "Roman Saleh" in body
    status, warm_headers, _body = fetch(second + "/")
    assert fetch(second + "/", {"If-None-Match": warm_headers["ETag"]})[0] == 304

    # An editor corrects a name through the first server's admin.
    open_roman_saleh_in_the_admin(page, first)
    page.fill("#id_name", "Roman Salekh")
    page.fill("#id_correction_note", "The federation spells it Salekh.")
    page.click("input[name=_save]")
    saved(page)

    # The second server shows it at once, and the old ETag no longer matches.
    status, headers, body = fetch(second + "/")
    assert status == 200
    assert "Roman Salekh" in body
    assert headers["ETag"] != warm_headers["ETag"]
    assert fetch(second + "/", {"If-None-Match": warm_headers["ETag"]})[0] == 200
    assert "The federation spells it Salekh." in fetch(second + "/corrections/")[2]


def saved(page):
    """Wait for the admin's "changed successfully" message after a save (the click returns before the
    redirect has landed), failing if it never comes."""
    from playwright.sync_api import expect

    expect(page.locator("ul.messagelist li.success")).to_have_count(1)


def open_roman_saleh_in_the_admin(page, server):
    """Log in as the chief editor on `server` and open Roman Saleh's page in the admin."""
    page.goto(server + "/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(server + "/admin/team/athlete/?q=saleh")
    page.click("text=Roman Saleh")


def test_a_photo_uploaded_on_one_server_is_served_by_the_other(two_servers, page, monkeypatch, tmp_path):
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)  # no ORM here: all goes over HTTP
    first, second = two_servers
    upload = tmp_path / "roman-saleh.jpg"
    Image.linear_gradient("L").resize((1200, 800)).convert("RGB").save(upload, "JPEG", quality=90)

    # An editor gives Roman Saleh a photo through the first server's admin.
    open_roman_saleh_in_the_admin(page, first)
    page.set_input_files("#id_photo-0-upload", str(upload))
    page.fill("#id_photo-0-alt_text", "Roman Saleh at the pool in Paris")
    page.fill("#id_photo-0-credit", "NPC Azerbaijan")
    page.click("input[name=_save]")
    saved(page)

    # The second server shows it on the athlete's page and serves it: the picture is in the shared database.
    status, _headers, body = fetch(second + "/athletes/roman-saleh/")
    assert status == 200
    assert 'alt="Roman Saleh at the pool in Paris"' in body
    assert "Photo: NPC Azerbaijan" in body
    src = re.search(r'<figure class="photo photo-profile">.*?<img src="([^"]+)"', body, re.S)[1]
    status, headers, made_on_second = fetch_bytes(second + src)
    assert status == 200
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert Image.open(io.BytesIO(made_on_second)).size == (480, 320)

    # The first server answers with the same rendition, and confirms the second's copy.
    status, first_headers, served_by_first = fetch_bytes(first + src)
    assert (status, served_by_first, first_headers["ETag"]) == (200, made_on_second, headers["ETag"])
    assert fetch_bytes(first + src, {"If-None-Match": headers["ETag"]})[0] == 304
