"""The team page's "Today" / "Next up" in a real browser: with JavaScript it adds the reader's own time when
their zone is neither of the two the page states; without it, the page keeps those two. The lead passes axe.

Runs under the site's Content-Security-Policy (script-src 'self'), as readers get it, except the axe check,
which injects its own script."""

import pytest

from team import front
from team.tests.conftest import browser_page
from team.tests.test_browser_readers import axe_violations
from team.tests.test_front_page import build_games, paris

pytestmark = pytest.mark.browser


@pytest.fixture
def site(transactional_db, live_server, settings, monkeypatch):
    """The Games of test_front_page.py, on Saturday 31 August at 09:00 in Paris."""
    settings.FEATURED_DELEGATION = "test-2024/AZE"
    build_games()
    monkeypatch.setattr(front, "now", lambda: paris(8, 31, 9))
    return live_server.url


@pytest.fixture
def in_new_york(sync_api, monkeypatch):
    yield from browser_page(sync_api, monkeypatch, timezone_id="America/New_York", locale="en-GB")


@pytest.fixture
def in_berlin(sync_api, monkeypatch):
    yield from browser_page(sync_api, monkeypatch, timezone_id="Europe/Berlin", locale="en-GB")


@pytest.fixture
def in_tokyo(sync_api, monkeypatch):
    yield from browser_page(sync_api, monkeypatch, timezone_id="Asia/Tokyo", locale="en-GB")


@pytest.fixture
def without_javascript(sync_api, monkeypatch):
    yield from browser_page(sync_api, monkeypatch, timezone_id="America/New_York", java_script_enabled=False)


def times_shown(page):
    page.wait_for_load_state("load")
    return page.locator(".coming-when").all_inner_texts()


def test_next_up_adds_the_readers_own_time_with_javascript(site, in_new_york):
    errors = []
    in_new_york.on("console", lambda message: message.type == "error" and errors.append(message.text))
    in_new_york.goto(site + "/")
    shown = times_shown(in_new_york)

    assert shown[0] == "10:00 Paris time · 12:00 Baku time, Saturday 31 August · your time: 04:00"
    assert shown[1] == "18:30 Paris time · 20:30 Baku time, Saturday 31 August · your time: 12:30"
    assert shown[2] == "Saturday 31 August, time to be confirmed"  # no moment to convert
    assert shown[3] == "10:00 Paris time · 12:00 Baku time, Sunday 1 September · your time: 04:00"
    assert errors == []  # the script ran under the Content-Security-Policy


def test_the_readers_day_is_named_when_it_is_not_the_venues(site, in_tokyo):
    in_tokyo.goto(site + "/")
    assert times_shown(in_tokyo)[1].endswith("· your time: 01:30, Sunday, September 1")  # in the page's language


def test_a_reader_whose_clock_reads_as_the_venues_gets_nothing_more(site, in_berlin):
    in_berlin.goto(site + "/")
    assert all("your time" not in shown for shown in times_shown(in_berlin))


def test_without_javascript_only_the_two_fixed_zones(site, without_javascript):
    without_javascript.goto(site + "/")
    shown = times_shown(without_javascript)

    assert shown[0] == "10:00 Paris time · 12:00 Baku time, Saturday 31 August"
    assert all("your time" not in text for text in shown)


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 900}])
def test_the_lead_has_no_accessibility_violations(site, sync_api, monkeypatch, viewport):
    for page in browser_page(sync_api, monkeypatch, bypass_csp=True, timezone_id="America/New_York"):
        page.set_viewport_size(viewport)
        page.goto(site + "/")
        page.wait_for_load_state("load")
        assert page.locator(".your-time").count() > 0
        assert axe_violations(page) == []
