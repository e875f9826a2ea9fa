"""An editor's morning, clicked through in a real browser.

Headless Chromium (Debian's, at /usr/bin/chromium) logs in to the admin,
corrects the article's "nuclear propulsion" to shot put, enters a final with a
gold medal, and then checks what readers see on the team page and what the
history recorded. Every step goes through the rendered pages and their
JavaScript (the "Add another" inline rows), nothing is posted directly.
"""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from team.models import Change, Event, Result, Round

pytestmark = pytest.mark.browser

EVENT_SLUG = "athletics-men-f55-nuclear-propulsion"
NOTE = "The article's “nuclear propulsion” is a mistranslation of shot put."
USERNAME = "desk-editor"
PASSWORD = "a-long-enough-browser-password"


def success_message(page):
    return page.locator("ul.messagelist li.success")


def test_editor_corrects_the_event_enters_a_gold_and_readers_see_it(
    transactional_db, live_server, page, django_user_model, tmp_path
):
    from playwright.sync_api import expect

    call_command("load_initial_data", verbosity=0)
    editor = django_user_model.objects.create_superuser(USERNAME, "desk@example.com", PASSWORD)
    event = Event.objects.get(slug=EVENT_SLUG)
    assert urlsplit(live_server.url).hostname in settings.ALLOWED_HOSTS

    def visit(url):
        response = page.goto(live_server.url + url)
        assert response is not None
        assert response.ok, f"{url} answered {response.status}"

    # 1. Log in on the admin login page.
    visit(reverse("admin:login"))
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Log out").or_(page.get_by_role("button", name="Log out"))).to_be_visible()

    # 2. Correct the event the article mistranslated, with a note for readers.
    event_url = reverse("admin:team_event_change", args=[event.pk])
    visit(event_url)
    discipline = page.locator("#id_discipline")
    expect(discipline).to_have_value("nuclear propulsion")
    discipline.fill("shot put")
    page.locator("#id_correction_note").fill(NOTE)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(success_message(page)).to_contain_text("was changed successfully")
    expect(success_message(page)).to_contain_text("Para athletics, men – shot put F55")

    # 3a. Add the final from the event page (the inline row comes from the admin's JavaScript).
    visit(event_url)
    rounds = page.locator("#rounds-group")
    rounds.get_by_role("button", name="Add another Round").click()
    rounds.locator("select[name='rounds-0-kind']").select_option(label="Final")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(success_message(page)).to_contain_text("was changed successfully")
    expect(page.locator("ul.errorlist")).to_have_count(0)

    # 3b. Open the round from the inline's change link and enter the winning result.
    expect(rounds.locator("select[name='rounds-0-kind']")).to_have_value("final")
    rounds.get_by_role("link", name="Change").click()
    expect(page.locator("#results-group")).to_be_visible()
    final = Round.objects.get(event=event, kind=Round.Kind.FINAL)
    assert urlsplit(page.url).path == reverse("admin:team_round_change", args=[final.pk])
    results = page.locator("#results-group")
    results.get_by_role("button", name="Add another Result").click()
    results.locator("select[name='results-0-entry']").select_option(
        label="Olokhan Musayev in Para athletics, men – shot put F55"
    )
    results.locator("input[name='results-0-rank']").fill("1")
    results.locator("input[name='results-0-mark']").fill("11.23")
    results.locator("select[name='results-0-medal']").select_option(label="Gold")
    results.locator("select[name='results-0-settled']").select_option(label="Official")
    page.screenshot(path=tmp_path / "round-page.png", full_page=True)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(success_message(page)).to_contain_text("was changed successfully")

    result = Result.objects.get(round=final)
    assert (result.entry.athlete.name, result.rank, result.mark, result.medal, result.settled) == (
        "Olokhan Musayev",
        1,
        "11.23",
        "gold",
        "official",
    )

    # 4. Readers see the corrected event and the medal; the F36 event is untouched.
    visit(reverse("team:team"))

    def athlete_card(name):
        return page.locator("article").filter(has=page.get_by_role("heading", name=name, exact=True))

    musayev = athlete_card("Olokhan Musayev")
    expect(musayev).to_contain_text("Para athletics, men – shot put F55")
    expect(musayev).not_to_contain_text("nuclear propulsion")
    expect(athlete_card("Rufat Rafiyev")).to_contain_text("Para athletics, men – nuclear propulsion F36")
    tally = page.get_by_role("list", name="Medal tally")
    expect(tally.locator("li")).to_have_text(["Gold 1", "Silver 0", "Bronze 0", "1 medal in all"])
    page.screenshot(path=tmp_path / "team-page.png", full_page=True)

    # 5. The history shows the correction with its note, and the round and result as added.
    visit(reverse("admin:team_change_changelist"))
    rows = page.locator("#result_list tbody tr")
    correction = rows.filter(has_text=NOTE)
    expect(correction).to_have_count(1)
    expect(correction).to_contain_text("Para athletics, men – shot put F55")
    expect(correction).to_contain_text("discipline")
    expect(correction).to_contain_text(USERNAME)
    for record in (
        "Para athletics, men – shot put F55 – Final",
        "Olokhan Musayev – Para athletics, men – shot put F55 – Final",
    ):
        added = rows.filter(has=page.get_by_role("link", name=record, exact=True))
        expect(added).to_have_count(1)
        expect(added).to_contain_text("Added")

    change = Change.objects.for_object(event).get()
    assert change.user == editor
    assert change.fields == {"discipline": ["nuclear propulsion", "shot put"]}
    assert change.correction_note == NOTE
    assert (tmp_path / "team-page.png").stat().st_size > 0
    assert (tmp_path / "round-page.png").stat().st_size > 0
