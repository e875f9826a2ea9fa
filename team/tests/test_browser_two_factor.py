"""An editor turns on two-step verification and logs in with it, clicked through in headless Chromium.

The test plays the phone: it reads the key the enrolment page shows for typing
(as an editor would when they cannot scan the QR code) and computes the app's
codes from it. The site's Content-Security-Policy applies throughout, and any
violation the browser reports fails the test.
"""

import base64

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken

from team.permissions import EDITORS

pytestmark = pytest.mark.browser

USERNAME = "night-editor"
PASSWORD = "a-long-enough-browser-password"


def app_code(secret, steps_ahead=0):
    """The six digits an authenticator app holding `secret` shows now (or `steps_ahead` periods later)."""
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key, step=30, t0=0, digits=6, drift=steps_ahead):06d}"


def test_editor_enrols_an_app_logs_in_with_it_and_uses_a_recovery_code_once(
    transactional_db, live_server, page, django_user_model, tmp_path
):
    from playwright.sync_api import expect

    editor = django_user_model.objects.create_user(USERNAME, password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))

    def visit(url):
        response = page.goto(live_server.url + url)
        assert response is not None and response.ok, f"{url} answered {response and response.status}"

    def log_in(code=None):
        visit(reverse("admin:login"))
        page.get_by_label("Username").fill(USERNAME)
        page.get_by_label("Password").fill(PASSWORD)
        if code is not None:
            page.get_by_label("Verification code").fill(code)
        page.get_by_role("button", name="Log in").click()

    def log_out():
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_text("Logged out")).to_be_visible()

    logged_in = page.get_by_role("button", name="Log out")

    # 1. Log in with the password (no second factor yet), open the two-step page from the header.
    log_in()
    expect(logged_in).to_be_visible()
    page.get_by_role("link", name="Two-step verification").click()
    qr_code = page.locator("svg.qr-code")
    expect(qr_code).to_be_visible()
    box = qr_code.bounding_box()
    assert box["width"] >= 150 and box["height"] >= 150, "the QR code is too small to scan"
    page.screenshot(path=tmp_path / "enrol.png", full_page=True)

    # 2. Type the key into "the app", then its code into the page.
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from your authenticator app").fill(app_code(secret))
    page.get_by_role("button", name="Turn on two-step verification").click()
    expect(page.get_by_text("Two-step verification is on.")).to_be_visible()
    codes = page.locator("ul.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept them: go to the desk").click()
    expect(logged_in).to_be_visible()
    log_out()

    # 3. The password alone is no longer enough.
    log_in()
    expect(page.locator(".errornote")).to_contain_text("This account uses two-step verification")

    # 4. Password and the app's code log in. (The enrolment used this period's code; the next one is new.)
    log_in(app_code(secret, steps_ahead=1))
    expect(logged_in).to_be_visible()
    log_out()

    # 5. A wrong code is refused, saying what to do.
    right_now = {app_code(secret, steps) for steps in (-1, 0, 1, 2)}
    wrong = next(code for code in ("123456", "654321", "111111", "222222", "333333") if code not in right_now)
    log_in(wrong)
    expect(page.locator(".errornote")).to_contain_text("That code is not right.")
    expect(page.get_by_label("Username")).to_be_visible()

    # 6. A recovery code logs in once...
    log_in(codes[0])
    expect(logged_in).to_be_visible()
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    log_out()

    # 7. ...and never twice.
    log_in(codes[0])
    expect(page.locator(".errornote")).to_contain_text("used already")
    expect(page.get_by_label("Username")).to_be_visible()

    assert violations == []
