"""An editor adds a passkey and logs in with it, in headless Chromium with a virtual authenticator.

Chromium's DevTools protocol gives the browser a platform authenticator (a
"fingerprint reader" that always says yes), so the real WebAuthn ceremonies of
django-otp-webauthn's scripts run end to end. Passkeys are bound to a domain:
the live server is reached as localhost, the relying party the settings name
in development. The site's Content-Security-Policy applies; any violation fails the test.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from team.permissions import EDITORS

pytestmark = pytest.mark.browser

USERNAME = "passkey-editor"
PASSWORD = "a-long-enough-browser-password"
KEY = "3132333435363738393031323334353637383930"


def test_editor_adds_a_passkey_and_logs_in_with_it_instead_of_a_code(
    transactional_db, live_server, page, django_user_model, settings
):
    from playwright.sync_api import expect

    assert live_server.url.startswith("http://localhost:")
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    editor = django_user_model.objects.create_user(USERNAME, password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    app = TOTPDevice.objects.create(user=editor, name="Authenticator app", key=KEY, confirmed=True)

    page.context.add_init_script(
        "window.violations = [];"
        "document.addEventListener('securitypolicyviolation', e => window.violations.push(e.violatedDirective));"
    )
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable", {"enableUI": False})
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
    }
    devtools.send("WebAuthn.addVirtualAuthenticator", {"options": options})

    def log_in(code=""):
        page.goto(live_server.url + reverse("admin:login"))
        page.get_by_label("Username").fill(USERNAME)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Verification code").fill(code)
        page.get_by_role("button", name="Log in").click()

    def violations():
        return page.evaluate("window.violations")

    # 1. Log in with password and the app's code; add a passkey from the two-step page.
    log_in(f"{totp(app.bin_key):06d}")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.get_by_role("link", name="Two-step verification").click()
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("#passkey-register-status-message")).to_have_attribute("data-status-enum", "success")
    assert WebAuthnCredential.objects.filter(user=editor, confirmed=True).count() == 1
    assert violations() == []
    page.get_by_role("link", name="Done: show my passkeys").click()
    expect(page.locator("ul.passkeys li")).to_have_count(1)
    page.get_by_role("button", name="Log out").click()

    # 2. Password only, code left empty: the desk asks for the passkey before anything else.
    log_in()
    expect(page.get_by_role("button", name="Use your passkey")).to_be_visible()
    page.goto(live_server.url + reverse("admin:team_athlete_changelist"))
    assert page.url.endswith(reverse("admin:passkey_step"))

    # 3. The passkey opens the desk.
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url(live_server.url + reverse("admin:index"))
    expect(page.get_by_role("link", name="Athletes")).to_be_visible()
    page.goto(live_server.url + reverse("admin:team_athlete_changelist"))
    assert page.url.endswith(reverse("admin:team_athlete_changelist"))
    assert WebAuthnCredential.objects.get(user=editor).last_used_at is not None
    assert violations() == []
