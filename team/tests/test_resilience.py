"""When the cache fails, readers and editors notice at most a slower site: never a 500, never a lost edit."""

import logging

import pytest
import redis
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse

from team.models import Athlete

TEAM = reverse("team:team")
ATHLETE = reverse("team:athlete", args=["roman-saleh"])

pytestmark = pytest.mark.usefixtures("article_data")


@pytest.fixture
def redis_down(redis_down, settings):
    """Redis down (conftest), with readers' pages cached as in production."""
    settings.PUBLIC_PAGE_CACHE = True


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", "a-long-passphrase")
    client.force_login(user)
    return user


def test_readers_pages_are_served_while_redis_is_down(client, redis_down):
    for url in (TEAM, ATHLETE, f"{TEAM}?sport=para-swimming", reverse("team:schedule")):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Roman Saleh" in client.get(ATHLETE).text


def test_a_revalidation_while_redis_is_down_gets_the_page(client, redis_down):
    response = client.get(TEAM, headers={"if-none-match": '"1-abc"'})
    assert response.status_code == 200
    assert "Azerbaijan" in response.text


def test_editors_can_work_while_redis_is_down(client, redis_down, editor):
    athlete = Athlete.objects.get(slug="jeyhun-mahmudov")
    assert client.get(reverse("admin:index")).status_code == 200
    change = reverse("admin:team_athlete_change", args=[athlete.pk])
    assert client.get(change).status_code == 200


def test_login_page_works_while_redis_is_down(redis_down, client):
    assert client.get(reverse("admin:login")).status_code == 200


def test_health_names_the_cache_as_failing_in_json(client, redis_down):
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "cache": "error: ConnectionError",
        "featured": "ok",
    }


def test_an_outage_is_logged_once_per_interval_not_once_per_request(client, redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="team.outages"):
        for _ in range(20):
            client.get(TEAM)
    messages = [record for record in caplog.records if record.name == "team.outages"]
    assert len(messages) == 1
    assert "Cache unavailable, serving without it: ConnectionError" in messages[0].getMessage()


def test_redis_refusing_writes_still_serves_pages(client, settings, monkeypatch):
    """Redis answers reads but refuses writes (disk full, out of memory): pages render and are not stored."""
    settings.CACHES = {"default": {"BACKEND": "team.outages.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    settings.PUBLIC_PAGE_CACHE = True

    def refuse(*args, **kwargs):
        raise redis.ResponseError("MISCONF Redis is configured to save RDB snapshots, but it is currently not able to")

    for name in ("get", "set", "add", "has_key", "delete"):
        monkeypatch.setattr(RedisCache, name, refuse)
    assert client.get(TEAM).status_code == 200
    health = client.get(reverse("health")).json()
    assert health["cache"] == "error: ResponseError"


def test_an_editors_save_reaches_readers_even_if_the_cache_refused_writes_at_the_time(
    client, page_cache, django_user_model, monkeypatch
):
    from django.core.cache import cache

    from team.tests.admin_forms import form_data

    anonymous = client.__class__()
    assert "Roman Saleh" in anonymous.get(TEAM).text  # now cached
    client.force_login(django_user_model.objects.create_superuser("desk", "desk@example.com", "a-long-passphrase"))
    athlete = Athlete.objects.get(slug="roman-saleh")
    url = reverse("admin:team_athlete_change", args=[athlete.pk])
    data = form_data(client.get(url)) | {"name": "Roman Salekh", "correction_note": "Spelling."}

    def refuse(*args, **kwargs):
        raise redis.ResponseError("OOM command not allowed when used memory > 'maxmemory'")

    for name in ("set", "add", "delete", "set_many", "touch", "incr"):
        monkeypatch.setattr(cache, name, refuse)
    assert client.post(url, data).status_code == 302
    monkeypatch.undo()

    assert "Roman Salekh" in anonymous.get(TEAM).text


def test_a_process_started_while_the_database_is_down_serves_cached_pages(client, page_cache, monkeypatch):
    from django.db import OperationalError

    from team.caching import published
    from team.models import Publication

    cached = client.get(TEAM)
    published.forget()  # a worker restarted during the outage knows no generation

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(Publication.objects, "filter", down)
    again = client.get(TEAM)
    assert again.status_code == 200
    assert again.content == cached.content
    assert client.get(TEAM, headers={"if-none-match": cached["ETag"]}).status_code == 304


def test_a_page_that_needs_the_database_while_it_is_down_gets_a_503_not_a_traceback(client, caplog, monkeypatch):
    from django.db import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr("team.views.featured_delegation", down)
    with caplog.at_level(logging.WARNING):
        responses = [client.get(ATHLETE) for _ in range(5)]
    assert {response.status_code for response in responses} == {503}
    assert responses[0]["Retry-After"] == "5"
    assert "Please try again in a few seconds" in responses[0].text
    warnings = [record for record in caplog.records if record.name == "team.outages"]
    assert len(warnings) == 1
    assert not [record for record in caplog.records if record.exc_info]


def test_health_notices_at_once_when_redis_refuses_writes(client, settings, monkeypatch):
    """Reads still work and return the last probe written: only a fresh value proves that writes do."""
    settings.CACHES = {"default": {"BACKEND": "team.outages.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    stored = {}

    def refuse(*args, **kwargs):
        raise redis.ResponseError("OOM command not allowed when used memory > 'maxmemory'")

    monkeypatch.setattr(RedisCache, "set", refuse)
    monkeypatch.setattr(RedisCache, "delete", refuse)
    monkeypatch.setattr(RedisCache, "get", lambda self, key, default=None, version=None: stored.get(key, "old"))
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["cache"] == "error: ResponseError"


def test_while_redis_is_down_renders_are_not_limited(client, redis_down, settings):
    """Nothing can be served from a cache that is down, so there is nothing to keep threads free for."""
    settings.RENDER_CONCURRENCY = 0
    client.get(TEAM)  # the cache's failure is noticed
    assert client.get(f"{TEAM}?sport=para-judo").status_code == 200
