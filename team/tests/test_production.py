"""Running like production: the readers' cache, conditional requests, security headers, health, settings."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.urls import reverse

from team.caching import PUBLIC_CACHE_CONTROL, generation
from team.models import Athlete
from team.permissions import EDITORS
from team.tests.admin_forms import form_data

TEAM = reverse("team:team")


@pytest.fixture
def editor_client(client, django_user_model):
    editor = django_user_model.objects.create_user("sabina", password="long-enough-password", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(editor)
    return client


# The readers' cache


def test_a_cached_page_is_served_without_a_query(client, page_cache, settings, django_assert_num_queries):
    settings.PAGE_GENERATION_TTL = 60  # the generation was read less than a minute ago
    first = client.get(TEAM)
    with django_assert_num_queries(0):
        second = client.get(TEAM)
    assert second.status_code == 200
    assert second.content == first.content


def test_a_cached_page_costs_one_small_query_when_the_generation_is_due(client, page_cache, django_assert_num_queries):
    first = client.get(TEAM)
    with django_assert_num_queries(1):
        second = client.get(TEAM)
    assert second.content == first.content


def test_an_editors_save_shows_at_once(client, page_cache, editor_client, django_capture_on_commit_callbacks):
    anonymous = client.__class__()
    assert "Roman Saleh" in anonymous.get(TEAM).text
    athlete = Athlete.objects.get(slug="roman-saleh")
    url = reverse("admin:team_athlete_change", args=[athlete.pk])
    data = form_data(editor_client.get(url)) | {"name": "Roman Salekh", "correction_note": "Spelling."}
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(url, data).status_code == 302

    page = anonymous.get(TEAM).text
    assert "Roman Salekh" in page
    assert ">Roman Saleh</a>" not in page  # its Azerbaijani spelling, unchanged, is still among the others


def test_a_bulk_action_invalidates_the_cache(client, page_cache, editor_client, django_capture_on_commit_callbacks):
    anonymous = client.__class__()
    assert "we list 19 (1 more than announced), all competing." in anonymous.get(TEAM).text
    athletes = list(Athlete.objects.filter(slug__in=["vali-israfilov", "rufat-rafiyev"]).values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            reverse("admin:team_athlete_changelist"),
            {"action": "mark_withdrawn", "_selected_action": athletes, "apply": "1", "reason": "Ill"},
        )
    assert "of whom 17 compete and 2 have withdrawn." in anonymous.get(TEAM).text


def test_a_change_from_the_shell_shows_at_once(client, page_cache):
    """No editors' path, no signal: a queryset update in the shell still starts a new generation."""
    before = client.get(TEAM)
    Athlete.objects.filter(slug="roman-saleh").update(name="Quietly Changed")
    after = client.get(TEAM)
    assert "Quietly Changed" in after.text
    assert after["ETag"] != before["ETag"]


def test_a_restore_with_loaddata_shows_at_once(client, page_cache, tmp_path):
    from django.core.management import call_command

    athlete = Athlete.objects.get(slug="roman-saleh")
    dump = tmp_path / "athlete.json"
    call_command("dumpdata", "team.athlete", pks=str(athlete.pk), output=str(dump), verbosity=0)
    Athlete.objects.filter(pk=athlete.pk).update(name="Wrongly Renamed")
    assert "Wrongly Renamed" in client.get(TEAM).text
    call_command("loaddata", str(dump), verbosity=0)
    page = client.get(TEAM).text
    assert "Roman Saleh" in page
    assert "Wrongly Renamed" not in page


def test_migrate_starts_a_new_generation(client, page_cache):
    from django.core.management import call_command

    before = generation()
    call_command("migrate", verbosity=0)
    assert generation() > before


def test_a_repeat_visit_gets_a_304_without_a_query(client, page_cache, settings, django_assert_max_num_queries):
    settings.PAGE_GENERATION_TTL = 60
    response = client.get(TEAM)
    etag, last_modified = response["ETag"], response["Last-Modified"]
    with django_assert_max_num_queries(0):
        revalidated = client.get(TEAM, headers={"if-none-match": etag})
    assert revalidated.status_code == 304
    assert revalidated["ETag"] == etag
    with django_assert_max_num_queries(0):
        by_date = client.get(TEAM, headers={"if-modified-since": last_modified})
    assert by_date.status_code == 304


def test_after_a_change_the_old_etag_gets_the_new_page(client, page_cache):
    etag = client.get(TEAM)["ETag"]
    Athlete.objects.filter(slug="roman-saleh").update(status_reason="")
    response = client.get(TEAM, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_different_filters_are_cached_apart(client, page_cache):
    swimmers = client.get(TEAM, {"sport": "para-swimming"})
    judoka = client.get(TEAM, {"sport": "para-judo"})
    assert swimmers["ETag"] != judoka["ETag"]
    assert "Khatira Ismiyeva" in judoka.text
    assert "Khatira Ismiyeva" not in swimmers.text


@pytest.mark.parametrize(
    "url",
    [TEAM, reverse("team:schedule"), reverse("team:medals"), reverse("team:athlete", args=["roman-saleh"])],
)
def test_public_pages_let_a_cdn_hold_them_and_set_no_cookie(client, page_cache, url):
    response = client.get(url)
    assert response["Cache-Control"] == PUBLIC_CACHE_CONTROL
    assert "s-maxage=10" in PUBLIC_CACHE_CONTROL
    assert "stale-while-revalidate=30" in PUBLIC_CACHE_CONTROL
    assert "stale-if-error=86400" in PUBLIC_CACHE_CONTROL
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies


def test_public_pages_never_vary_on_cookie_even_for_a_logged_in_editor(page_cache, editor_client):
    response = editor_client.get(TEAM)
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies


def test_the_admin_is_never_cached(editor_client, page_cache):
    response = editor_client.get(reverse("admin:team_athlete_changelist"))
    assert "no-cache" in response["Cache-Control"]
    assert "private" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert "ETag" not in response


def test_the_generation_survives_a_cleared_cache(page_cache):
    from django.core.cache import cache

    before = generation()
    cache.clear()
    assert generation() == before


# Security headers


CSP_EXPECTED = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
]


@pytest.mark.parametrize("url", [TEAM, reverse("team:classes"), "/no-such-page/", reverse("admin:login")])
def test_every_response_carries_a_strict_content_security_policy(client, article_data, url):
    policy = client.get(url)["Content-Security-Policy"]
    for directive in CSP_EXPECTED:
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_security_headers_on_public_pages(client, article_data):
    response = client.get(TEAM)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.fixture
def production_security(settings):
    """The values settings.py sets when DJANGO_ENV=production."""
    settings.SECURE_HSTS_SECONDS = 63072000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def test_https_is_enforced_and_remembered_in_production(client, article_data, production_security):
    assert client.get(TEAM).status_code == 301
    response = client.get(TEAM, headers={"x-forwarded-proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains; preload"


def test_session_and_csrf_cookies_are_secure_and_http_only(client, production_security, django_user_model):
    django_user_model.objects.create_superuser("chief", password="a-long-enough-password")
    https = {"x-forwarded-proto": "https"}
    login = reverse("admin:login")
    client.get(login, headers=https)
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    client.post(
        login,
        {"username": "chief", "password": "a-long-enough-password", "csrfmiddlewaretoken": csrf.value},
        headers=https,
    )
    session = client.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_server_error_page_leaks_nothing(client, article_data, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("team.views.RosterFilter", explode)
    client.raise_request_exception = False
    response = client.get(TEAM)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


# Health


def test_health_reports_database_cache_and_the_featured_team(client, article_data):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "featured": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_says_503_when_the_cache_is_down(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr("team.views.cache.set", broken)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["cache"] == "error: ConnectionError"


# Settings from the environment


def run_python(code, **env):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python("import paralympics.settings", DJANGO_ENV="production")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_ENV=production." in result.stderr


def test_a_laptop_gets_a_generated_secret_that_is_kept():
    code = "import paralympics.settings as s; print(s.SECRET_KEY)"
    first, second = run_python(code), run_python(code)
    assert first.returncode == 0
    assert len(first.stdout.strip()) >= 50
    assert first.stdout == second.stdout


def test_deploy_checks_pass_with_production_settings():
    result = run_python(
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'paralympics.settings'); "
        "from django.core.management import call_command; django.setup(); "
        "call_command('check', deploy=True, fail_level='WARNING')",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="x" * 20 + "a-long-random-production-secret-0123456789",
        DJANGO_ALLOWED_HOSTS="news.example",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_redis_url_selects_the_shared_cache():
    result = run_python(
        "import paralympics.settings as s; print(s.CACHES['default']['BACKEND'])", REDIS_URL="redis://127.0.0.1:6379/3"
    )
    assert result.stdout.strip() == "team.outages.ResilientRedisCache"


@pytest.mark.django_db
def test_health_says_503_when_the_featured_team_cannot_be_shown(client, article_data, settings):
    settings.FEATURED_DELEGATION = "paris-2024/AZR"
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["featured"] == "error: paris-2024/AZR is not in the database"


def test_health_says_503_when_the_database_is_down(client, monkeypatch):
    from django.db import OperationalError

    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("team.views.connection.cursor", broken)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError"


def test_only_stored_readers_pages_come_out_of_the_cache(editor_client, page_cache):
    etag = editor_client.get(TEAM)["ETag"]
    admin = editor_client.get(reverse("admin:index"), headers={"if-none-match": etag})
    assert admin.status_code == 200
    assert "ETag" not in admin


def test_a_repeat_visit_is_answered_before_sessions_and_routing(client, page_cache, monkeypatch):
    client.get(TEAM)

    def refuse(*args, **kwargs):
        raise AssertionError("the view ran although the page was cached")

    monkeypatch.setattr("team.views.RosterFilter", refuse)
    assert client.get(TEAM).status_code == 200


def test_each_host_gets_its_own_canonical_address(client, page_cache, settings):
    settings.ALLOWED_HOSTS = ["news.example", "www.news.example"]
    first = client.get(TEAM, HTTP_HOST="news.example").text
    second = client.get(TEAM, HTTP_HOST="www.news.example").text
    assert '<link rel="canonical" href="http://news.example/">' in first
    assert '<link rel="canonical" href="http://www.news.example/">' in second
