"""The admin login refuses password guessing per username-at-client and per client, with growing cool-downs,
and finds the client behind a trusted reverse proxy without believing anyone else's X-Forwarded-For."""

import importlib
import runpy

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse
from gunicorn.config import validate_string_to_addr_list

import team.throttle
from paralympics.settings import forwarded_allow_ips

PASSWORD = "correct-horse-battery-staple"
REFUSAL = "Too many failed login attempts"
OTHER_ADDRESS = "10.0.0.2"  # The test client's own address is 127.0.0.1, a trusted proxy by default.
PROXY = "192.0.2.10"
CLIENT_A = "198.51.100.7"
CLIENT_B = "203.0.113.9"
UNTRUSTED_PEER = "198.51.100.50"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Each test hashes passwords a dozen times; the default hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def login_url():
    return reverse("admin:login")


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(username="alice", password=PASSWORD, is_staff=True)


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, stopped, moved on by `clock.advance(seconds)` instead of sleeping.

    Locks are judged by the time they end, which they store, so this works on Redis too,
    whose own expiry follows the real clock."""

    class Clock:
        now = 1_800_000_000.0

        def advance(self, seconds):
            self.now += seconds

    stopped = Clock()
    monkeypatch.setattr(team.throttle.time, "time", lambda: stopped.now)
    return stopped


@pytest.fixture
def behind_proxy(settings):
    """The documented deployment: every request comes from the proxy, which names the client."""
    settings.FORWARDED_ALLOW_IPS = ["127.0.0.1", PROXY]


@pytest.fixture
def local_memory_cache(settings):
    """For the tests about a count being forgotten: expiry follows the stopped clock only in local memory."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}}


def via(client_address):
    """Extra request data for a request that the proxy forwards for `client_address`."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_address}


def log_in(client, url, username="alice", password=PASSWORD, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def fail(client, url, times, username="alice", **extra):
    for _ in range(times):
        response = log_in(client, url, username, "wrong-password", **extra)
        assert response.status_code == 200


def is_logged_in(client):
    return "_auth_user_id" in client.session


def address_of(remote_addr, forwarded_for=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return team.throttle.client_address(RequestFactory().post("/", **extra))


# The login and the lock


@pytest.mark.django_db
def test_login_page_still_renders_on_get(client, login_url):
    response = client.get(login_url)

    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_right_password_logs_in(client, login_url, editor):
    response = log_in(client, login_url)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_fifth_failure_locks_for_30_seconds_even_the_right_password(client, login_url, editor, clock):
    fail(client, login_url, 5)

    response = log_in(client, login_url)

    assert response.status_code == 429
    assert "Please wait 30 seconds before trying again." in response.text
    assert response["Retry-After"] == "30"
    assert not is_logged_in(client)


def test_four_failures_do_not_block_the_right_password(client, login_url, editor):
    fail(client, login_url, 4)

    assert log_in(client, login_url).status_code == 302


def test_refused_attempt_never_checks_the_password(client, login_url, editor, monkeypatch):
    fail(client, login_url, 5)

    def must_not_authenticate(*args, **kwargs):
        raise AssertionError("a refused attempt checked the password")

    monkeypatch.setattr("django.contrib.auth.forms.authenticate", must_not_authenticate)

    assert log_in(client, login_url, password="another-guess").status_code == 429


def test_failures_from_one_address_do_not_lock_the_same_user_out_from_another(client, login_url, editor):
    fail(client, login_url, 5)

    response = log_in(client, login_url, REMOTE_ADDR=OTHER_ADDRESS)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_successful_login_resets_the_count_for_that_user_and_address(client, login_url, editor):
    fail(client, login_url, 4)
    assert log_in(client, login_url).status_code == 302
    client.logout()

    # Without the reset the first of these would be the fifth failure and lock the user.
    fail(client, login_url, 4)
    assert log_in(client, login_url).status_code == 302


def test_username_case_and_surrounding_spaces_count_as_the_same_user(client, login_url, editor):
    for username in ["Alice", "ALICE", " alice ", "aLiCe", "alice"]:
        fail(client, login_url, 1, username=username)

    assert log_in(client, login_url).status_code == 429


def test_one_address_trying_many_usernames_is_throttled_for_that_address_only(client, login_url, editor, settings):
    settings.ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for username in ["bob", "carol", "dave"]:
        fail(client, login_url, 1, username=username)

    assert log_in(client, login_url).status_code == 429
    assert log_in(client, login_url, REMOTE_ADDR=OTHER_ADDRESS).status_code == 302


def test_address_count_is_not_reset_by_a_successful_login(client, login_url, editor, settings):
    settings.ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT = 3
    fail(client, login_url, 2, username="bob")
    assert log_in(client, login_url).status_code == 302
    client.logout()

    fail(client, login_url, 1, username="carol")

    assert log_in(client, login_url, username="dave", password="any").status_code == 429


def test_limits_and_first_delay_come_from_settings(client, login_url, editor, settings, clock):
    settings.ADMIN_LOGIN_FAILURE_LIMIT = 2
    settings.ADMIN_LOGIN_FIRST_DELAY = 60
    fail(client, login_url, 2)

    response = log_in(client, login_url)

    assert response.status_code == 429
    assert "Please wait 1 minute before trying again." in response.text
    assert response["Retry-After"] == "60"


# Growing cool-downs


def test_each_failure_after_the_limit_doubles_the_lock_up_to_the_window(client, login_url, editor, settings, clock):
    settings.ADMIN_LOGIN_FAILURE_WINDOW = 300
    fail(client, login_url, 4)
    waits = []
    for _ in range(6):
        fail(client, login_url, 1)  # the first is the fifth failure, which reaches the limit
        refused = log_in(client, login_url)
        assert refused.status_code == 429
        waits.append(int(refused["Retry-After"]))
        clock.advance(waits[-1] - 1)
        assert log_in(client, login_url).status_code == 429, "a second before the lock ends"
        clock.advance(1)

    assert waits == [30, 60, 120, 240, 300, 300]
    assert log_in(client, login_url).status_code == 302


def test_the_message_names_the_wait_in_seconds_then_minutes(client, login_url, editor, clock):
    fail(client, login_url, 5)
    clock.advance(29)
    assert "Please wait 1 second before trying again." in log_in(client, login_url).text
    clock.advance(1)
    fail(client, login_url, 1)  # 60 s
    assert "Please wait 1 minute before trying again." in log_in(client, login_url).text
    clock.advance(1)
    assert "Please wait 59 seconds before trying again." in log_in(client, login_url).text
    clock.advance(59)
    fail(client, login_url, 1)  # 120 s
    assert "Please wait 2 minutes before trying again." in log_in(client, login_url).text
    clock.advance(30)
    assert "Please wait 2 minutes before trying again." in log_in(client, login_url).text  # 90 s, rounded up


def test_refused_attempts_are_not_counted(client, login_url, editor, clock):
    fail(client, login_url, 5)
    for _ in range(10):
        assert log_in(client, login_url, password="another-guess").status_code == 429
    clock.advance(30)

    fail(client, login_url, 1)

    # The sixth failure, not the sixteenth: the lock doubled once.
    assert log_in(client, login_url)["Retry-After"] == "60"


def test_the_count_outlives_the_lock_so_the_next_failure_doubles_it(client, login_url, editor, clock):
    fail(client, login_url, 5)
    clock.advance(30 + 899)  # the lock ended long ago, but less than a window ago (on Redis too)

    fail(client, login_url, 1)

    assert log_in(client, login_url)["Retry-After"] == "60"


def test_a_count_is_forgotten_a_full_window_after_its_lock_ends(
    client, login_url, editor, settings, clock, local_memory_cache
):
    settings.ADMIN_LOGIN_FAILURE_WINDOW = 300
    fail(client, login_url, 5)  # locked for 30 s
    clock.advance(30)
    fail(client, login_url, 1)  # locked for 60 s
    clock.advance(60 + 300)

    fail(client, login_url, 4)

    assert log_in(client, login_url).status_code == 302, "a fresh count: four failures do not lock"


def test_failures_below_the_limit_are_forgotten_a_window_after_the_last(
    client, login_url, editor, clock, local_memory_cache
):
    fail(client, login_url, 4)
    clock.advance(899)
    fail(client, login_url, 1)  # the fifth within a window of the fourth: locked
    assert log_in(client, login_url).status_code == 429
    clock.advance(30 + 900 + 1)

    fail(client, login_url, 4)

    assert log_in(client, login_url).status_code == 302


def test_a_successful_login_starts_the_doubling_again(client, login_url, editor, clock):
    fail(client, login_url, 5)
    clock.advance(30)
    fail(client, login_url, 1)  # locked for 60 s
    clock.advance(60)
    assert log_in(client, login_url).status_code == 302
    client.logout()

    fail(client, login_url, 5)

    assert log_in(client, login_url)["Retry-After"] == "30"


def test_the_client_scope_grows_too(client, login_url, editor, settings, clock):
    settings.ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for username in ["bob", "carol", "dave"]:
        fail(client, login_url, 1, username=username)
    assert log_in(client, login_url)["Retry-After"] == "30"
    clock.advance(30)

    fail(client, login_url, 1, username="erin")

    assert log_in(client, login_url)["Retry-After"] == "60"


# Behind the proxy


def test_behind_the_proxy_failures_from_one_client_do_not_lock_the_editor_out_from_another(
    client, login_url, editor, behind_proxy
):
    fail(client, login_url, 5, **via(CLIENT_A))
    assert log_in(client, login_url, **via(CLIENT_A)).status_code == 429

    response = log_in(client, login_url, **via(CLIENT_B))

    assert response.status_code == 302
    assert is_logged_in(client)


def test_behind_the_proxy_many_usernames_from_one_client_never_lock_out_another(
    client, login_url, editor, settings, behind_proxy
):
    settings.ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT = 10
    for number in range(12):
        log_in(client, login_url, f"user{number}", "wrong-password", **via(CLIENT_A))
    assert log_in(client, login_url, **via(CLIENT_A)).status_code == 429, "the spraying client is locked"

    assert log_in(client, login_url, **via(CLIENT_B)).status_code == 302


def test_a_forged_forwarded_for_from_a_peer_that_is_not_a_proxy_is_ignored(client, login_url, editor, behind_proxy):
    for number in range(5):
        forged = {"REMOTE_ADDR": UNTRUSTED_PEER, "HTTP_X_FORWARDED_FOR": f"192.0.2.{100 + number}"}
        fail(client, login_url, 1, **forged)

    response = log_in(client, login_url, REMOTE_ADDR=UNTRUSTED_PEER, HTTP_X_FORWARDED_FOR="192.0.2.200")

    assert response.status_code == 429
    assert address_of(UNTRUSTED_PEER, "192.0.2.200") == UNTRUSTED_PEER


def test_an_address_forged_in_front_of_the_real_client_counts_against_the_real_client(
    client, login_url, editor, behind_proxy
):
    for number in range(5):
        fail(client, login_url, 1, **via(f"192.0.2.{100 + number}, {CLIENT_A}"))

    assert log_in(client, login_url, **via(CLIENT_A)).status_code == 429
    assert log_in(client, login_url, **via(f"{CLIENT_B}, {CLIENT_A}")).status_code == 429
    assert log_in(client, login_url, **via(f"{CLIENT_A}, {CLIENT_B}")).status_code == 302


def test_garbage_in_forwarded_for_counts_against_the_hop_that_passed_it_on(client, login_url, editor, behind_proxy):
    fail(client, login_url, 5, **via(f"{CLIENT_A}, not-an-address"))

    # Counted against the proxy itself, not against the address left of the garbage.
    assert log_in(client, login_url, REMOTE_ADDR=PROXY).status_code == 429
    assert log_in(client, login_url, **via(CLIENT_A)).status_code == 302


def test_the_client_behind_the_proxy_is_the_right_most_address_that_is_not_a_proxy(settings):
    settings.FORWARDED_ALLOW_IPS = "127.0.0.1, 10.0.0.0/8"

    assert address_of("10.0.0.1", CLIENT_A) == CLIENT_A
    assert address_of("10.0.0.1", f"{CLIENT_B}, {CLIENT_A}, 10.1.2.3, 10.0.0.5") == CLIENT_A
    assert address_of("10.0.0.1", "10.9.9.9, 10.0.0.5") == "10.9.9.9", "all proxies: the left-most"
    assert address_of("10.0.0.1") == "10.0.0.1", "no header: the peer"
    assert address_of("10.0.0.1", "") == "10.0.0.1"
    assert address_of("10.0.0.1", f" {CLIENT_A} ,, ") == CLIENT_A


def test_unreadable_entries_end_the_walk_at_the_last_trusted_hop(settings):
    settings.FORWARDED_ALLOW_IPS = "10.0.0.0/8"

    assert address_of("10.0.0.1", f"{CLIENT_A}, unknown") == "10.0.0.1"
    assert address_of("10.0.0.1", f"{CLIENT_A}, garbage, 10.0.0.5") == "10.0.0.5"
    assert address_of("10.0.0.1", f"garbage, {CLIENT_A}") == CLIENT_A, "left of the client: never read"
    assert address_of("10.0.0.1", f"{CLIENT_A}, {CLIENT_B}:x") == "10.0.0.1"
    assert address_of("10.0.0.1", f"{CLIENT_A}, [2001:db8::1") == "10.0.0.1"


def test_ports_are_dropped_and_ipv4_written_as_ipv6_is_ipv4(settings):
    settings.FORWARDED_ALLOW_IPS = "10.0.0.0/8"

    assert address_of("10.0.0.1", f"{CLIENT_A}:4711") == CLIENT_A
    assert address_of("10.0.0.1", "[2001:db8::7]:4711") == "2001:db8::/64"
    assert address_of("10.0.0.1", "[2001:db8::7]") == "2001:db8::/64"
    assert address_of("::ffff:10.0.0.1", f"::ffff:{CLIENT_A}") == CLIENT_A


def test_a_peer_that_is_not_a_proxy_is_the_client_whatever_it_says(settings):
    settings.FORWARDED_ALLOW_IPS = "10.0.0.0/8"

    assert address_of(CLIENT_B, CLIENT_A) == CLIENT_B
    assert address_of("", CLIENT_A) == "", "a peer without an address (a Unix socket) is not trusted"


def test_a_star_trusts_any_peer_but_only_the_entry_it_appended(settings):
    settings.FORWARDED_ALLOW_IPS = "*"

    assert address_of(CLIENT_B, f"192.0.2.1, {CLIENT_A}") == CLIENT_A
    assert address_of("", CLIENT_A) == CLIENT_A
    assert address_of(CLIENT_B, "garbage") == CLIENT_B


# IPv6


def test_ipv6_clients_are_counted_by_their_64_network(client, login_url, editor):
    for host in range(1, 6):
        fail(client, login_url, 1, REMOTE_ADDR=f"2001:db8:1:2::{host:x}")

    assert log_in(client, login_url, REMOTE_ADDR="2001:db8:1:2:ffff:ffff:ffff:ffff").status_code == 429
    assert log_in(client, login_url, REMOTE_ADDR="2001:db8:1:3::1").status_code == 302


def test_ipv6_clients_behind_the_proxy_are_counted_by_their_64_network(client, login_url, editor, behind_proxy):
    for host in range(1, 6):
        fail(client, login_url, 1, **via(f"2001:db8:1:2::{host:x}"))

    assert log_in(client, login_url, **via("2001:db8:1:2:abcd::1")).status_code == 429
    assert log_in(client, login_url, **via("2001:db8:1:3::1")).status_code == 302


# The cache down


def test_with_redis_down_wrong_passwords_are_refused_and_the_right_one_logs_in(
    client, login_url, editor, redis_down, behind_proxy
):
    fail(client, login_url, 7, **via(CLIENT_A))  # no 500, and no lock: nothing is counted

    response = log_in(client, login_url, **via(CLIENT_A))

    assert response.status_code == 302
    assert is_logged_in(client)


def test_with_redis_refusing_every_call_the_login_still_works(client, login_url, editor, monkeypatch):
    """As ResilientRedisCache answers during an outage: reads miss, writes do nothing, counts are 0."""
    outage = {"get": None, "add": False, "set": None, "touch": False, "delete": False, "incr": 0}

    class CacheInAnOutage:
        def __getattr__(self, name):
            return lambda *args, **kwargs: outage[name]

    monkeypatch.setattr(team.throttle, "cache", CacheInAnOutage())
    fail(client, login_url, 7)

    assert log_in(client, login_url).status_code == 302


# Missing fields


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{}, {"username": "alice"}, {"password": "x"}])
def test_post_with_missing_fields_is_a_form_error_not_a_500(client, login_url, data):
    assert client.post(login_url, data).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{}, {"username": "alice"}, {"password": "x"}])
def test_post_with_missing_fields_while_throttled_is_a_429_not_a_500(client, login_url, settings, data):
    settings.ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT = 1
    fail(client, login_url, 1, username="bob")

    response = client.post(login_url, data)

    assert response.status_code == 429
    assert REFUSAL in response.text


def test_cache_keys_hold_neither_username_nor_address(client, login_url, editor, monkeypatch, behind_proxy):
    keys = []

    class RecordingCache:
        def __getattr__(self, name):
            method = getattr(cache, name)

            def record(key, *args, **kwargs):
                keys.append(key)
                return method(key, *args, **kwargs)

            return record

    monkeypatch.setattr(team.throttle, "cache", RecordingCache())
    fail(client, login_url, 5, **via(CLIENT_A))
    log_in(client, login_url, **via(CLIENT_A))

    assert keys
    assert not [key for key in keys if "alice" in key or CLIENT_A in key or PROXY in key]


# The setting, as gunicorn reads it


@pytest.mark.parametrize(
    "value", ["127.0.0.1", "10.0.0.1, 192.168.0.0/16", "*", "2001:db8::/48,127.0.0.1", "", " 10.0.0.1, "]
)
def test_django_reads_forwarded_allow_ips_as_gunicorn_does(value):
    assert forwarded_allow_ips(value) == validate_string_to_addr_list(value)


@pytest.mark.parametrize("value", ["proxy.internal", "10.0.0.1/8", "10.0.0.1, ,10.0.0.2", "300.0.0.1"])
def test_a_forwarded_allow_ips_gunicorn_would_refuse_is_refused(value):
    with pytest.raises(ValueError):
        validate_string_to_addr_list(value)
    with pytest.raises(ImproperlyConfigured, match="FORWARDED_ALLOW_IPS"):
        forwarded_allow_ips(value)


@pytest.mark.parametrize("value", [None, "10.0.0.0/8, 192.0.2.10"])
def test_gunicorn_and_django_trust_the_same_proxies_from_the_same_variable(monkeypatch, value):
    import paralympics.settings

    if value is None:
        monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    else:
        monkeypatch.setenv("FORWARDED_ALLOW_IPS", value)
    gunicorn_conf = runpy.run_path(str(django_settings.BASE_DIR / "gunicorn.conf.py"))
    try:
        django_value = importlib.reload(paralympics.settings).FORWARDED_ALLOW_IPS
    finally:
        monkeypatch.undo()
        importlib.reload(paralympics.settings)

    assert django_value == validate_string_to_addr_list(gunicorn_conf["forwarded_allow_ips"])
    if value is None:
        assert django_value == ["127.0.0.1"]
