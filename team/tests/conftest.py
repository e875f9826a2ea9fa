import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests render pages without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def article_data(db):
    """The article's delegation, loaded the way `make run` loads it."""
    from django.core.management import call_command

    call_command("load_initial_data", verbosity=0)


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


@pytest.fixture
def page(sync_api, monkeypatch):
    # Playwright's sync API keeps an event loop running in this thread; without this
    # Django refuses ORM calls from the test (SynchronousOnlyOperation).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            # Fail fast: everything here is local, so 10 s means something is wrong.
            page.set_default_timeout(10_000)
            sync_api.expect.set_options(timeout=10_000)
            yield page
        finally:
            browser.close()
