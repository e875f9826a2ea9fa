import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session", autouse=True)
def no_stray_connections(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end any session still open on it.

    Browser tests run the ORM beside Playwright's event loop, and a connection
    opened there can outlive the test; PostgreSQL then refuses to drop the database.
    """
    yield
    from django.db import connection, connections

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        connections.close_all()


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Each test starts with an empty cache, and pages are cached only in the tests about caching
    (`page_cache`); the database's generation is read on every request, not once a second."""
    from django.core.cache import cache

    from team.caching import published
    from team.outages import cache_outage, database_outage

    settings.PUBLIC_PAGE_CACHE = False
    settings.PAGE_GENERATION_TTL = 0
    cache.clear()
    for outage in (cache_outage, database_outage):
        outage.forget()
    published.forget()
    yield
    cache.clear()


@pytest.fixture
def page_cache(settings, article_data):
    """Readers' pages cached as in production.

    Each test runs inside a transaction that is rolled back, and PostgreSQL's
    publication triggers wait for a commit: here they fire at each statement
    instead, as a committed change would have them fire.
    """
    from django.db import connection

    settings.PUBLIC_PAGE_CACHE = True
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS team_publish IMMEDIATE")


@pytest.fixture
def redis_down(settings):
    """The site configured for Redis, on a port where nothing listens (connections are refused at once)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "team.outages.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests render pages without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def article_dump(tmp_path_factory):
    """Where the first test to need the article's data leaves a copy of it, loaded the slow, validated way."""
    return tmp_path_factory.mktemp("article") / "article.json"


@pytest.fixture
def article_data(db, article_dump):
    """The article's delegation, loaded the way `make run` loads it (validated once, then copied)."""
    from django.core.management import call_command

    if article_dump.exists():
        call_command("loaddata", str(article_dump), verbosity=0)
    else:
        call_command("load_initial_data", verbosity=0)
        call_command("dumpdata", "team", output=str(article_dump), verbosity=0)


# The editors' desk


@pytest.fixture
def editor(django_user_model):
    """A member of the Editors group, as the newsroom sets one up."""
    from django.contrib.auth.models import Group

    from team.permissions import EDITORS

    user = django_user_model.objects.create_user("amina", password="long-enough-password", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


@pytest.fixture
def records(article_data, editor):
    """One record of every model the admin shows: the article's data, plus a result and a history entry."""
    from team import history
    from team.models import Athlete, FormerSlug
    from team.tests.admin_forms import team_admin_models
    from team.tests.factories import make_result

    make_result()
    athlete = Athlete.objects.first()
    before = history.snapshot(athlete)
    athlete.status_reason = "Checked with the team."
    athlete.save()
    history.record_save(athlete, before, editor, note="Reason added.")
    delegation = athlete.delegation
    delegation.standings.create(games=delegation.games, place=40, teams=84)
    FormerSlug.objects.create(athlete=athlete, slug=f"{athlete.slug}-misspelt")
    return {model: model._default_manager.first() for model in team_admin_models()}


# Browser tests: Debian's Chromium driven by Playwright


def running_in_ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason):
    """Skip on a laptop without the browser; in CI a missing browser is a broken pipeline, so fail."""
    if running_in_ci():
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def sync_api():
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests")
    try:
        from playwright import sync_api
    except ImportError:
        unavailable("playwright is not installed: pip install -r requirements-dev.txt")
    return sync_api


def browser_page(sync_api, monkeypatch, **context_options):
    # Playwright's sync API keeps an event loop running in this thread; without this
    # Django refuses ORM calls from the test (SynchronousOnlyOperation).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_options)
            page = context.new_page()
            # Fail fast: everything here is local, so 10 s means something is wrong.
            page.set_default_timeout(10_000)
            sync_api.expect.set_options(timeout=10_000)
            yield page
        finally:
            browser.close()


@pytest.fixture
def page(sync_api, monkeypatch):
    """A page as readers get it: the site's Content-Security-Policy applies."""
    yield from browser_page(sync_api, monkeypatch)


@pytest.fixture
def page_bypassing_csp(sync_api, monkeypatch):
    """A page that ignores the site's Content-Security-Policy, for tests that inject their own script
    (axe-core) or must see every request a page's markup asks for, even one the policy would block."""
    yield from browser_page(sync_api, monkeypatch, bypass_csp=True)
