"""The admin login refuses password guessing per username-and-address, and per address."""

import time

import pytest
from django.core.cache import cache
from django.urls import reverse

import team.sites

PASSWORD = "correct-horse-battery-staple"
REFUSAL = "Too many failed login attempts"
OTHER_ADDRESS = "10.0.0.2"  # The test client's own address is 127.0.0.1.


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


def log_in(client, url, username="alice", password=PASSWORD, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def fail(client, url, times, username="alice", **extra):
    for _ in range(times):
        response = log_in(client, url, username, "wrong-password", **extra)
        assert response.status_code == 200


def is_logged_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_login_page_still_renders_on_get(client, login_url):
    response = client.get(login_url)

    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_right_password_logs_in(client, login_url, editor):
    response = log_in(client, login_url)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_sixth_attempt_after_five_failures_is_refused_with_429_even_with_right_password(client, login_url, editor):
    fail(client, login_url, 5)

    response = log_in(client, login_url)

    assert response.status_code == 429
    assert "Please wait 15 minutes before trying again." in response.text
    assert 0 < int(response["Retry-After"]) <= 15 * 60
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


def test_limits_and_window_come_from_settings(client, login_url, editor, settings):
    settings.ADMIN_LOGIN_FAILURE_LIMIT = 2
    settings.ADMIN_LOGIN_FAILURE_WINDOW = 60
    fail(client, login_url, 2)

    response = log_in(client, login_url)

    assert response.status_code == 429
    assert "Please wait 1 minute before trying again." in response.text


def test_lock_lifts_once_the_window_has_passed(client, login_url, editor, settings, monkeypatch):
    settings.ADMIN_LOGIN_FAILURE_WINDOW = 60
    fail(client, login_url, 5)
    assert log_in(client, login_url).status_code == 429

    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 61)

    assert log_in(client, login_url).status_code == 302


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


def test_cache_keys_hold_neither_username_nor_address(client, login_url, editor, monkeypatch):
    keys = []

    class RecordingCache:
        def __getattr__(self, name):
            method = getattr(cache, name)

            def record(key, *args, **kwargs):
                keys.append(key)
                return method(key, *args, **kwargs)

            return record

    monkeypatch.setattr(team.sites, "cache", RecordingCache())
    fail(client, login_url, 5)
    log_in(client, login_url)

    assert keys
    assert not [key for key in keys if "alice" in key or "127.0.0.1" in key]
