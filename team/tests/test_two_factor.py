"""Editors' second factor: enrolment, login with an app's code or a recovery code, the required setting,
the superuser's reset, and sessions."""

import time

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from team import twofactor
from team.permissions import EDITORS

PASSWORD = "long-enough-password"
LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")
TWO_STEP = reverse("admin:two_step")
USERS = reverse("admin:auth_user_changelist")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("amina", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


@pytest.fixture
def chief(django_user_model):
    return django_user_model.objects.create_superuser("chief", "chief@example.com", "chief-long-password")


def code_for(device, offset=0):
    """What the editor's app shows now (the test holds the secret, as the phone would)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def log_in(client, code=None, username="amina", password=PASSWORD):
    data = {"username": username, "password": password, "next": INDEX}
    if code is not None:
        data["otp_token"] = code
    return client.post(LOGIN, data)


def enrol(client):
    """The editor adds an app on the two-step page; returns (device, recovery codes)."""
    page = client.get(TWO_STEP)
    assert page.status_code == 200
    device = page.context["pending"]
    response = client.post(TWO_STEP, {"otp_token": code_for(device)})
    assert response.status_code == 200, response.content
    device.refresh_from_db()
    return device, response.context["codes"]


@pytest.fixture
def enrolled(client, editor):
    """An editor with an app and recovery codes, logged out again."""
    assert log_in(client).status_code == 302
    device, codes = enrol(client)
    client.post(reverse("admin:logout"))
    # The code used to enrol cannot be used again; tests log in with the next period's code.
    device.last_t = -1
    device.save()
    return device, codes


def is_logged_in(client):
    return "_auth_user_id" in client.session


def is_verified(client):
    return "otp_device_id" in client.session


# Enrolment


def test_the_two_step_page_draws_the_qr_code_itself_and_shows_the_key_to_type(client, editor):
    client.force_login(editor)
    response = client.get(TWO_STEP)

    assert response.status_code == 200
    page = response.text
    assert '<svg viewBox="0 0 ' in page and 'class="qr-code"' in page
    assert "otpauth://" not in page  # only inside the QR code, never as a link or text
    device = response.context["pending"]
    secret = twofactor.secret_for_typing(device)
    assert secret in page
    assert len(secret.replace(" ", "")) == 32  # 20 bytes in base32
    assert "<script" not in page.split("</head>")[1]
    assert "style=" not in page
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    # A second visit shows the same app, so a reload does not break a half-finished scan.
    assert client.get(TWO_STEP).context["pending"].pk == device.pk


def test_the_qr_code_holds_the_issuer_and_the_account(client, editor, settings):
    settings.OTP_TOTP_ISSUER = "Newsroom desk"
    client.force_login(editor)
    device = client.get(TWO_STEP).context["pending"]

    assert device.config_url.startswith("otpauth://totp/Newsroom%20desk%3Aamina?secret=")
    assert "issuer=Newsroom%20desk" in device.config_url


def test_enrolling_with_a_right_code_turns_it_on_and_shows_ten_recovery_codes_once(client, editor):
    client.force_login(editor)
    device, codes = enrol(client)

    assert device.confirmed
    assert len(codes) == 10 == len(set(codes))
    assert all(len(code) == 8 for code in codes)
    assert StaticToken.objects.filter(device__user=editor).count() == 10
    assert is_verified(client)
    status = client.get(TWO_STEP)
    assert "Two-step verification is on" in status.text
    assert "You have 10 recovery codes left." in status.text
    assert not any(code in status.text for code in codes)


def test_enrolling_with_a_wrong_code_is_refused_and_nothing_is_turned_on(client, editor):
    client.force_login(editor)
    device = client.get(TWO_STEP).context["pending"]

    response = client.post(TWO_STEP, {"otp_token": "000000" if code_for(device) != "000000" else "111111"})

    assert response.status_code == 400
    assert "That code is not right." in response.text
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=editor).exists()


@pytest.mark.parametrize("typed", ["", "   ", "12345", "abcdefgh", "1" * 40, "١٢٣٤٥٦"])
def test_enrolling_with_nonsense_gets_a_message_not_an_error(client, editor, typed):
    client.force_login(editor)
    client.get(TWO_STEP)

    response = client.post(TWO_STEP, {"otp_token": typed})

    assert response.status_code == 400
    assert 'class="errorlist' in response.text


def test_the_two_step_page_needs_a_staff_login(client, django_user_model):
    assert client.get(TWO_STEP).status_code == 302
    reader = django_user_model.objects.create_user("reader", password=PASSWORD)
    client.force_login(reader)
    response = client.get(TWO_STEP)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_new_recovery_codes_need_a_code_from_the_app_and_replace_the_old(client, enrolled, editor):
    device, old_codes = enrolled
    assert log_in(client, code_for(device)).status_code == 302

    refused = client.post(TWO_STEP, {"otp_token": old_codes[0]})
    assert refused.status_code == 400
    assert "Enter the six digits your authenticator app shows now." in refused.text
    assert StaticToken.objects.filter(device__user=editor).count() == 10

    device.refresh_from_db()
    device.last_t = -1
    device.save()
    response = client.post(TWO_STEP, {"otp_token": code_for(device)})
    new_codes = response.context["codes"]
    assert set(new_codes).isdisjoint(old_codes)
    assert set(StaticToken.objects.filter(device__user=editor).values_list("token", flat=True)) == set(new_codes)
    assert "no-store" in response["Cache-Control"]


# Logging in


def test_an_account_without_an_app_logs_in_with_its_password_in_development(client, editor):
    response = log_in(client)

    assert response.status_code == 302
    assert client.get(INDEX).status_code == 200


def test_an_account_with_an_app_needs_its_code(client, enrolled):
    response = log_in(client)

    assert response.status_code == 200
    assert "This account uses two-step verification" in response.text
    assert not is_logged_in(client)


def test_the_right_code_logs_in_and_verifies_the_session(client, enrolled):
    device, _codes = enrolled

    response = log_in(client, code_for(device))

    assert response.status_code == 302
    assert is_logged_in(client) and is_verified(client)
    assert client.get(INDEX).status_code == 200


def test_a_code_from_the_previous_period_still_works_but_only_once(client, enrolled):
    device, _codes = enrolled
    earlier = code_for(device, offset=-1)

    assert log_in(client, earlier).status_code == 302
    client.post(reverse("admin:logout"))
    device.refresh_from_db()
    device.throttle_reset()
    assert log_in(Client(), earlier).status_code == 200


def test_a_wrong_code_is_refused_with_a_clear_message(client, enrolled):
    device, _codes = enrolled
    wrong = "000000" if code_for(device) != "000000" else "111111"

    response = log_in(client, wrong)

    assert response.status_code == 200
    assert "That code is not right." in response.text
    assert not is_logged_in(client)


def test_a_wrong_code_slows_the_next_try_and_says_how_long(client, enrolled):
    device, _codes = enrolled
    log_in(client, "000000" if code_for(device) != "000000" else "111111")

    response = log_in(client, code_for(device))

    assert "Too many wrong codes: wait 1 second" in response.text
    assert not is_logged_in(client)
    device.refresh_from_db()
    device.throttling_failure_timestamp = device.throttling_failure_timestamp.replace(year=2000)
    device.save()
    assert log_in(client, code_for(device)).status_code == 302


def test_a_right_code_with_a_wrong_password_is_refused_as_a_wrong_password(client, enrolled):
    device, _codes = enrolled

    response = log_in(client, code_for(device), password="not-the-password")

    assert "Please enter the correct username and password" in response.text
    device.refresh_from_db()
    assert device.throttling_failure_count == 0  # the code was never tried


def test_a_recovery_code_logs_in_once_and_never_again(client, enrolled):
    _device, codes = enrolled

    first = log_in(client, codes[3].upper()[:4] + "-" + codes[3][4:])  # typed in capitals, with a dash

    assert first.status_code == 302
    assert is_verified(client)
    client.post(reverse("admin:logout"))
    again = log_in(Client(), codes[3])
    assert again.status_code == 200
    assert "used already" in again.text
    assert StaticToken.objects.filter(token=codes[3]).count() == 0


def test_failed_codes_count_towards_the_login_throttle(client, enrolled, settings):
    settings.ADMIN_LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        log_in(client, "zzzzzzzz")

    response = log_in(client, "zzzzzzzz")

    assert response.status_code == 429


# Required in production


@pytest.fixture
def required(settings):
    settings.ADMIN_TWO_FACTOR_REQUIRED = True


def test_required_sends_an_account_without_an_app_to_enrol_before_anything_else(client, editor, required):
    assert log_in(client).status_code == 302

    for address in (INDEX, reverse("admin:team_athlete_changelist"), reverse("admin:password_change")):
        response = client.get(address)
        assert response.status_code == 302
        assert response.url == TWO_STEP
    page = client.get(TWO_STEP)
    assert "Every editor's account needs two-step verification" in page.text
    assert reverse("admin:logout") in page.text


def test_required_lets_an_account_log_out_before_enrolling(client, editor, required):
    log_in(client)

    response = client.post(reverse("admin:logout"))

    assert response.status_code == 200
    assert not is_logged_in(client)


def test_required_opens_the_desk_once_enrolled(client, editor, required):
    log_in(client)
    enrol(client)

    assert client.get(INDEX).status_code == 200
    assert client.get(reverse("admin:team_athlete_changelist")).status_code == 200


def test_required_refuses_a_session_that_skipped_the_code(client, enrolled, editor, required):
    client.force_login(editor)  # a password-only session, e.g. one from before the setting was turned on

    response = client.get(INDEX)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_required_is_on_in_production_and_off_in_development():
    import subprocess
    import sys

    def setting(**env):
        import os

        script = (
            "import django; django.setup(); from django.conf import settings; print(settings.ADMIN_TWO_FACTOR_REQUIRED)"
        )
        environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "paralympics.settings", **env}
        environment.pop("DJANGO_ADMIN_TWO_FACTOR", None)
        environment |= env
        return subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True).stdout

    assert setting(DJANGO_ENV="development").strip() == "False"
    production = {"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": "x" * 60}
    assert setting(**production).strip() == "True"
    assert setting(**production, DJANGO_ADMIN_TWO_FACTOR="0").strip() == "False"


# The superuser's reset


def reset(client, users, reason="laptop lost on the train"):
    data = {"action": "reset_two_step", "_selected_action": [user.pk for user in users]}
    if reason is not None:
        data |= {"apply": "yes", "reason": reason}
    return client.post(USERS, data)


def test_a_superuser_resets_a_lost_device_on_the_record(client, enrolled, editor, chief):
    device, _codes = enrolled
    desk = Client()
    assert log_in(desk, code_for(device)).status_code == 302
    client.force_login(chief)

    confirm = reset(client, [editor], reason=None)
    assert confirm.status_code == 200
    assert "every session they have open ends" in confirm.text
    assert TOTPDevice.objects.filter(user=editor).exists()

    done = reset(client, [editor])
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not StaticDevice.objects.filter(user=editor).exists()
    entry = LogEntry.objects.get(object_id=str(editor.pk))
    assert entry.user == chief
    assert "Reset two-step verification (laptop lost on the train); 1 session(s) ended." in entry.get_change_message()
    # The lost laptop's session is over.
    assert desk.get(INDEX).status_code == 302
    assert "reset: 1 session(s) ended" in client.get(USERS).text


def test_the_reset_needs_a_reason(client, enrolled, editor, chief):
    client.force_login(chief)

    response = reset(client, [editor], reason="   ")

    assert response.status_code == 200
    assert "errorlist" in response.text
    assert TOTPDevice.objects.filter(user=editor, confirmed=True).exists()


def test_the_users_list_shows_who_has_two_step_verification(client, enrolled, editor, chief):
    client.force_login(chief)

    response = client.get(USERS)

    rows = {user.username: user.has_app for user in response.context["cl"].result_list}
    assert rows == {"amina": True, "chief": False}


@pytest.mark.parametrize(("shown", "expected"), [("on", {"amina"}), ("off", {"chief"}), ("bogus", {"amina", "chief"})])
def test_the_users_list_filters_by_two_step_verification(client, enrolled, chief, shown, expected):
    client.force_login(chief)

    response = client.get(USERS, {"two_step": shown})

    assert response.status_code == 200
    assert {user.username for user in response.context["cl"].result_list} == expected


def test_staff_who_may_manage_users_but_are_not_superusers_cannot_reset(client, enrolled, editor, django_user_model):
    manager = django_user_model.objects.create_user("manager", password=PASSWORD, is_staff=True)
    manager.user_permissions.add(*Permission.objects.filter(content_type__app_label="auth", codename__endswith="_user"))
    client.force_login(manager)

    assert "reset_two_step" not in client.get(USERS).text
    reset(client, [editor])

    assert TOTPDevice.objects.filter(user=editor, confirmed=True).exists()


# Least privilege


@pytest.mark.parametrize("address", ["/otp_totp/totpdevice/", "/otp_static/staticdevice/"])
def test_nobody_browses_devices_in_the_admin(client, chief, address):
    client.force_login(chief)

    assert client.get(INDEX.rstrip("/") + address).status_code == 404


def test_an_editor_cannot_reset_anyones_second_factor(client, enrolled, editor, django_user_model):
    other = django_user_model.objects.create_user("other", password=PASSWORD, is_staff=True)
    TOTPDevice.objects.create(user=other, name="app", confirmed=True)
    client.force_login(editor)

    response = reset(client, [other])

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=other).exists()


def test_the_editors_group_has_no_permission_on_accounts_or_devices(db):
    group = Group.objects.get(name=EDITORS)
    apps = set(group.permissions.values_list("content_type__app_label", flat=True))

    assert apps == {"team"}


# Sessions


def test_a_session_ends_after_the_idle_time_and_at_browser_close(client, editor, settings):
    log_in(client)

    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    session = Session.objects.get(session_key=cookie.value)
    remaining = (session.expire_date.timestamp() - time.time()) / 60
    assert 59 < remaining <= 60


def test_each_admin_request_restarts_the_idle_clock(client, editor):
    log_in(client)
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(
        expire_date=Session.objects.get(session_key=key).expire_date.replace(year=2099)
    )

    client.get(INDEX)

    assert Session.objects.get(session_key=key).expire_date.year < 2099


def test_reading_the_site_leaves_an_editors_session_alone(client, editor):
    log_in(client)
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(
        expire_date=Session.objects.get(session_key=key).expire_date.replace(year=2099)
    )

    response = client.get(reverse("team:team"))

    assert not response.cookies
    assert Session.objects.get(session_key=key).expire_date.year == 2099


def test_an_expired_session_is_logged_out(client, editor):
    log_in(client)
    Session.objects.update(expire_date=Session.objects.get().expire_date.replace(year=2000))

    response = client.get(INDEX)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_changing_ones_password_ends_every_other_session(client, editor):
    laptop, phone = Client(), Client()
    log_in(laptop)
    log_in(phone)

    response = phone.post(
        reverse("admin:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-passphrase",
            "new_password2": "a-brand-new-passphrase",
        },
    )

    assert response.status_code == 302
    assert phone.get(INDEX).status_code == 200
    assert laptop.get(INDEX).status_code == 302


# The site's Content-Security-Policy on every new page


def inline_code(page):
    """Inline script, event-handler attributes or style attributes in a page: what the policy forbids."""
    import re

    return re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|\son[a-z]+=|\sstyle=", page)


@pytest.mark.parametrize("state", ["login", "enrol", "enrolled", "recovery codes", "reset"])
def test_new_pages_carry_the_strict_policy_and_no_inline_code(client, editor, chief, state):
    if state == "login":
        response = client.get(LOGIN)
    elif state == "reset":
        client.force_login(chief)
        response = reset(client, [editor], reason=None)
    else:
        client.force_login(editor)
        response = client.get(TWO_STEP)
        if state != "enrol":
            device = response.context["pending"]
            response = client.post(TWO_STEP, {"otp_token": code_for(device)})
            if state == "enrolled":
                response = client.get(TWO_STEP)

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert inline_code(response.text) == []


# Passkeys: the desk's rules around django-otp-webauthn (the ceremonies themselves: test_browser_passkeys.py)


def add_passkey(user):
    from django_otp_webauthn.models import WebAuthnCredential

    return WebAuthnCredential.objects.create(
        user=user,
        name="passkey",
        confirmed=True,
        credential_id=b"credential-" + user.username.encode(),
        credential_id_sha256=f"{user.pk:064d}",
        public_key=b"not-a-real-key",
        sign_count=0,
        aaguid="00000000-0000-0000-0000-000000000000",
    )


def test_a_passkey_needs_the_app_first(client, editor):
    client.force_login(editor)

    response = client.post(reverse("otp_webauthn:credential-registration-begin"))

    assert response.status_code == 403
    assert "authenticator app first" in response.json()["detail"]


def test_a_passkey_cannot_be_added_by_a_session_that_skipped_the_code(client, enrolled, editor):
    client.force_login(editor)  # password only

    response = client.post(reverse("otp_webauthn:credential-registration-begin"))

    assert response.status_code == 403
    assert "verify your identity first" in response.json()["detail"]
    assert "log in again with your password and a code" in client.get(TWO_STEP).text


def test_a_verified_session_may_begin_adding_a_passkey(client, enrolled):
    device, _codes = enrolled
    log_in(client, code_for(device))

    response = client.post(reverse("otp_webauthn:credential-registration-begin"))

    assert response.status_code == 200
    assert response.json()["rp"]["id"] == "localhost"
    page = client.get(TWO_STEP).text
    assert 'id="otp_webauthn_config" type="application/json"' in page
    assert inline_code(page) == []


def test_passkeys_never_replace_the_password(client, enrolled, editor):
    add_passkey(editor)

    response = client.post(reverse("otp_webauthn:credential-authentication-begin"))

    assert response.status_code == 403
    assert not is_logged_in(client)


def test_with_a_passkey_an_empty_code_leads_to_the_passkey_step_and_nowhere_else(client, enrolled, editor):
    add_passkey(editor)

    assert log_in(client, "").status_code == 302
    for address in (INDEX, reverse("admin:team_athlete_changelist"), TWO_STEP.replace("two-step", "password_change")):
        response = client.get(address)
        assert response.status_code == 302
        assert response.url == reverse("admin:passkey_step")
    step = client.get(reverse("admin:passkey_step"))
    assert step.status_code == 200
    assert "Use your passkey" in step.text
    assert inline_code(step.text) == []


def test_pending_holds_even_where_the_second_factor_is_required(client, enrolled, editor, required):
    add_passkey(editor)
    log_in(client, "")

    response = client.get(INDEX)

    assert response.url == reverse("admin:passkey_step")


def test_the_passkey_step_takes_a_code_instead(client, enrolled, editor):
    _device, codes = enrolled
    add_passkey(editor)
    log_in(client, "")
    step = reverse("admin:passkey_step")

    wrong = client.post(step, {"otp_token": "zzzzzzzz"})
    assert wrong.status_code == 400
    assert "used already" in wrong.text
    assert client.get(INDEX).status_code == 302
    StaticDevice.objects.filter(user=editor).update(throttling_failure_count=0)  # no wait for the next try

    response = client.post(step, {"otp_token": codes[0]})
    assert response.status_code == 302
    assert response.url == INDEX
    assert is_verified(client)
    assert client.get(INDEX).status_code == 200
    assert client.get(step).status_code == 302  # nothing pending any more


def test_without_a_passkey_an_empty_code_is_still_refused(client, enrolled):
    response = log_in(client, "")

    assert "This account uses two-step verification" in response.text
    assert not is_logged_in(client)


def test_the_reset_removes_passkeys_too(client, enrolled, editor, chief):
    from django_otp_webauthn.models import WebAuthnCredential

    add_passkey(editor)
    client.force_login(chief)

    reset(client, [editor])

    assert not WebAuthnCredential.objects.filter(user=editor).exists()


def test_passkeys_are_bound_to_the_sites_domain_in_production():
    import os
    import subprocess
    import sys

    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.OTP_WEBAUTHN_RP_ID, settings.OTP_WEBAUTHN_ALLOWED_ORIGINS, "
        "settings.OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN)"
    )
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_PASSKEY", "DJANGO_ALLOWED"))
    }
    environment |= {
        "DJANGO_SETTINGS_MODULE": "paralympics.settings",
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "news.example,www.news.example",
    }
    output = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True).stdout

    assert output.strip() == "news.example ['https://news.example'] False"


# Two at once


@pytest.mark.django_db(transaction=True)
def test_one_recovery_code_used_from_two_browsers_at_once_logs_in_only_one(django_user_model, monkeypatch):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer at a time into the database, so the two checks cannot cross there.")
    editor = django_user_model.objects.create_user("amina", password=PASSWORD, is_staff=True)
    TOTPDevice.objects.create(user=editor, name="app", confirmed=True)
    [code] = twofactor.issue_recovery_codes(editor)[:1]
    both_checked_the_password = threading.Barrier(2, timeout=20)
    check_code = twofactor.check_code

    def check_code_once_both_are_here(*args, **kwargs):
        both_checked_the_password.wait()
        return check_code(*args, **kwargs)

    monkeypatch.setattr(twofactor, "check_code", check_code_once_both_are_here)
    responses = [None, None]

    def submit(index):
        try:
            responses[index] = log_in(Client(raise_request_exception=False), code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(response.status_code for response in responses) == [200, 302]
    refused = next(response for response in responses if response.status_code == 200)
    assert "used already" in refused.content.decode()
