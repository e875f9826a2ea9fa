"""The results desk: a whole round entered or corrected in one save, with the admin's rules, history and guards.

Pages are read the way a browser reads them (`page_data` collects what the
desk's form would post) and posted back with the editor's changes.
"""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from team import desk, history
from team.models import Change, Entry, Result, Round, Source
from team.permissions import EDITORS
from team.tests.factories import make_athlete, make_delegation, make_entry, make_event, make_result, make_round

NOTE = "The official results replace the provisional ones."


# Reading the page as a browser would


class FormReader(HTMLParser):
    """The values a browser would post from the desk's form: text and hidden inputs, ticked boxes, chosen options."""

    def __init__(self):
        super().__init__()
        self.data = {}
        self.inside = False
        self.select = None
        self.first_option = None
        self.chosen = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "desk-form":
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.data[name] = attrs.get("value") or "on"
            else:
                self.data[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self.select, self.first_option, self.chosen = name, None, False
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = attrs.get("value", "")
            if "selected" in attrs:
                self.data[self.select] = attrs.get("value", "")
                self.chosen = True

    def handle_endtag(self, tag):
        if tag == "select" and self.select:
            if not self.chosen:
                self.data[self.select] = self.first_option or ""
            self.select = None
        elif tag == "form":
            self.inside = False


def page_data(response):
    assert response.status_code == 200, response.status_code
    reader = FormReader()
    reader.feed(response.content.decode())
    return reader.data


def row(entry, **fields):
    """The posted fields of `entry`'s row."""
    return {f"row-{entry.pk}-{name}": ("on" if value is True else str(value)) for name, value in fields.items()}


def desk_url(event, kind=Round.Kind.FINAL):
    return reverse("admin:team_desk_round", args=[event.pk, kind])


def row_errors(response, entry):
    for desk_row in response.context["rows"]:
        if desk_row.entry == entry:
            return [message for messages in desk_row.form.errors.values() for message in messages]
    raise LookupError(entry)


def summary(response):
    return [message for _anchor, message in response.context["errors"]]


# Data


@pytest.fixture
def desk_client(client, editor):
    client.force_login(editor)
    client.raise_request_exception = False
    return client


@pytest.fixture
def event(db):
    """A women's long jump with four of the delegation's athletes entered, no round yet."""
    delegation = make_delegation()
    first = make_athlete(delegation=delegation, name="Aytan Aliyeva")
    event = make_event(games=delegation.games, sport=first.sport, gender="W", mark_kind="distance")
    make_entry(athlete=first, event=event)
    for name in ("Banu Mammadova", "Chinara Huseynova", "Dilara Karimova"):
        make_entry(athlete=make_athlete(delegation=delegation, sport=first.sport, name=name), event=event)
    return event


def entries_of(event):
    return list(event.entries.order_by("athlete__name"))


@pytest.fixture
def final(event):
    return make_round(event=event, kind=Round.Kind.FINAL, scheduled_date=datetime.date(2024, 8, 30))


@pytest.fixture
def published(final):
    """The final with the first two athletes' provisional results."""
    first, second, *_rest = entries_of(final.event)
    make_result(entry=first, round=final, rank=1, mark="6.12", medal="gold")
    make_result(entry=second, round=final, rank=2, mark="6.01", medal="silver")
    return final


@pytest.fixture
def other_editor(django_user_model):
    user = django_user_model.objects.create_user("bea", password="another-long-password", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


# One save for a whole round


def test_a_final_is_created_with_its_results_in_one_save(desk_client, editor, event):
    first, second, third, fourth = entries_of(event)
    data = page_data(desk_client.get(desk_url(event)))
    data |= {"round-scheduled_date": "2024-08-30", "round-scheduled_time": "18:05", "round-label": ""}
    data |= row(first, rank=1, mark="6.12", medal="gold", settled="official")
    data |= row(second, rank=2, mark="6.01", medal="silver", settled="official")
    data |= row(third, rank=3, mark="5.90", medal="bronze", settled="official")
    data |= row(fourth, rank=4, mark="5.12", settled="official")

    response = desk_client.post(desk_url(event), data)

    assert response.status_code == 302
    assert response["Location"] == desk_url(event)
    final = Round.objects.get(event=event, kind=Round.Kind.FINAL)
    assert (final.scheduled_date, final.scheduled_time, final.order) == (
        datetime.date(2024, 8, 30),
        datetime.time(18, 5),
        110,
    )
    results = {result.entry: result for result in final.results.all()}
    assert [(results[e].rank, results[e].mark, results[e].medal) for e in (first, second, third, fourth)] == [
        (1, "6.12", "gold"),
        (2, "6.01", "silver"),
        (3, "5.90", "bronze"),
        (4, "5.12", ""),
    ]
    changes = Change.objects.filter(user=editor)
    assert changes.count() == 5
    assert len({change.batch for change in changes}) == 1
    page = desk_client.get(response["Location"])
    message = str(next(iter(page.context["messages"])))
    assert "Saved 4 results in" in message
    assert event.get_absolute_url() in message


def test_an_existing_round_shows_every_athlete_entered_by_name_and_withdrawn_ones_not_editable(desk_client, final):
    first, _second, _third, fourth = entries_of(final.event)
    fourth.status, fourth.status_reason = Entry.Status.WITHDRAWN, "Injured in training."
    fourth.save()

    response = desk_client.get(desk_url(final.event))

    names = [desk_row.entry.athlete.name for desk_row in response.context["rows"]]
    assert names == ["Aytan Aliyeva", "Banu Mammadova", "Chinara Huseynova", "Dilara Karimova"]
    assert [desk_row.form is None for desk_row in response.context["rows"]] == [False, False, False, True]
    assert "Injured in training." in response.text
    assert f'name="row-{fourth.pk}-rank"' not in response.text
    assert f'id="entry-{first.pk}"' in response.text
    assert 'inputmode="numeric"' in response.text


def test_nothing_changed_saves_nothing(desk_client, published):
    response = desk_client.post(desk_url(published.event), page_data(desk_client.get(desk_url(published.event))))

    assert response.status_code == 302
    assert not Change.objects.exists()


# Corrections


def test_correcting_a_published_result_needs_a_correction_note(desk_client, editor, published):
    first, *_rest = entries_of(published.event)
    data = page_data(desk_client.get(desk_url(published.event))) | row(first, mark="6.21")

    refused = desk_client.post(desk_url(published.event), data)

    assert refused.status_code == 200
    expected = "Readers have already seen this. Say in one line what was wrong (it is published)."
    assert expected in row_errors(refused, first)
    assert Result.objects.get(entry=first).mark == "6.12"
    assert 'value="6.21"' in refused.text

    saved = desk_client.post(desk_url(published.event), data | row(first, correction_note="Mark misread."))

    assert saved.status_code == 302
    assert Result.objects.get(entry=first).mark == "6.21"
    change = Change.objects.get()
    assert (change.correction_note, change.fields["mark"]) == ("Mark misread.", ["6.12", "6.21"])


def test_one_note_serves_every_correction_of_the_save(desk_client, published):
    first, second, *_rest = entries_of(published.event)
    data = page_data(desk_client.get(desk_url(published.event)))
    data |= row(first, settled="official") | row(second, settled="official") | {"desk-note": NOTE}

    assert desk_client.post(desk_url(published.event), data).status_code == 302

    assert set(Result.objects.values_list("settled", flat=True)) == {"official"}
    assert [change.correction_note for change in Change.objects.all()] == [NOTE, NOTE]


def test_a_result_is_cleared_with_its_row_checkbox_and_recorded(desk_client, editor, published):
    _first, second, *_rest = entries_of(published.event)
    data = page_data(desk_client.get(desk_url(published.event))) | row(second, clear=True)

    assert desk_client.post(desk_url(published.event), data).status_code == 302

    assert not Result.objects.filter(entry=second).exists()
    change = Change.objects.get()
    assert (change.action, change.user) == (Change.Action.DELETED, editor)


# Two editors at once


def test_a_stale_save_is_refused_naming_the_other_editors_change_and_keeping_the_input(
    client, django_user_model, editor, other_editor, published
):
    first, *_rest = entries_of(published.event)
    url = desk_url(published.event)
    client.force_login(editor)
    opened_by_a = page_data(client.get(url))

    client.force_login(other_editor)
    b_data = page_data(client.get(url)) | row(first, mark="6.15", correction_note="Photo finish reviewed.")
    assert client.post(url, b_data).status_code == 302

    client.force_login(editor)
    refused = client.post(url, opened_by_a | row(first, mark="6.20", correction_note="Typo."))

    assert refused.status_code == 200
    errors = row_errors(refused, first)
    assert "Not saved: this record changed while you were editing it." in errors
    assert any(line.startswith("bea changed mark from “6.12” to “6.15”") for line in errors), errors
    assert 'value="6.20"' in refused.text
    assert Result.objects.get(entry=first).mark == "6.15"

    again = client.post(url, page_data(refused))  # saving again is a deliberate choice, over the new version

    assert again.status_code == 302
    assert Result.objects.get(entry=first).mark == "6.20"


def test_a_row_another_editor_changed_is_left_alone_when_this_editor_did_not_touch_it(
    client, editor, other_editor, published
):
    first, second, *_rest = entries_of(published.event)
    url = desk_url(published.event)
    client.force_login(editor)
    opened_by_a = page_data(client.get(url))
    client.force_login(other_editor)
    assert (
        client.post(
            url, page_data(client.get(url)) | row(first, mark="6.15", correction_note="Re-measured.")
        ).status_code
        == 302
    )

    client.force_login(editor)
    saved = client.post(url, opened_by_a | row(second, mark="6.02", correction_note="Typo."))

    assert saved.status_code == 302
    assert Result.objects.get(entry=first).mark == "6.15"
    assert Result.objects.get(entry=second).mark == "6.02"


def test_a_result_entered_by_another_editor_after_the_page_was_opened_is_not_overwritten(
    client, editor, other_editor, final
):
    first, *_rest = entries_of(final.event)
    url = desk_url(final.event)
    client.force_login(editor)
    opened_by_a = page_data(client.get(url))
    client.force_login(other_editor)
    assert (
        client.post(url, page_data(client.get(url)) | row(first, rank=1, mark="6.12", medal="gold")).status_code == 302
    )

    client.force_login(editor)
    refused = client.post(url, opened_by_a | row(first, rank=1, mark="6.30", medal="gold"))

    assert refused.status_code == 200
    assert "Not saved: this record changed while you were editing it." in row_errors(refused, first)
    assert Result.objects.get(entry=first).mark == "6.12"


def test_a_result_cleared_by_another_editor_is_not_brought_back_unasked(client, editor, other_editor, published):
    first, *_rest = entries_of(published.event)
    url = desk_url(published.event)
    client.force_login(editor)
    opened_by_a = page_data(client.get(url))
    client.force_login(other_editor)
    assert client.post(url, page_data(client.get(url)) | row(first, clear=True)).status_code == 302

    client.force_login(editor)
    refused = client.post(url, opened_by_a | row(first, mark="6.14", correction_note="Re-measured."))

    assert refused.status_code == 200
    assert any("Another editor cleared this result" in error for error in row_errors(refused, first))
    assert not Result.objects.filter(entry=first).exists()
    assert client.post(url, page_data(refused)).status_code == 302
    assert Result.objects.get(entry=first).mark == "6.14"


# Refusals: a message on the row, nothing saved, the input kept


def test_an_invalid_row_is_refused_on_its_row_and_nothing_is_saved(desk_client, event):
    first, second, *_rest = entries_of(event)
    data = page_data(desk_client.get(desk_url(event, Round.Kind.HEATS)))
    data |= {"round-scheduled_date": "2024-08-30"}
    data |= row(first, rank=1, mark="6.12") | row(second, rank=2, mark="six metres", medal="silver")

    response = desk_client.post(desk_url(event, Round.Kind.HEATS), data)

    assert response.status_code == 200
    errors = row_errors(response, second)
    assert any("records metres with two decimals, such as 6.12" in error for error in errors), errors
    assert "Medals are won only in a final or a bronze medal contest, not in heats." in errors
    assert row_errors(response, first) == []
    assert any(message.startswith("Banu Mammadova:") for message in summary(response))
    assert f'href="#entry-{second.pk}"' in response.text
    assert 'value="six metres"' in response.text and 'value="6.12"' in response.text
    assert not Round.objects.exists()
    assert not Result.objects.exists()
    assert not Change.objects.exists()


def test_errors_are_linked_to_their_inputs(desk_client, final):
    first, *_rest = entries_of(final.event)
    data = page_data(desk_client.get(desk_url(final.event))) | row(first, rank="abc")

    response = desk_client.post(desk_url(final.event), data)

    assert re.search(rf'aria-describedby="id_row-{first.pk}-rank_error"', response.text)
    assert f'id="id_row-{first.pk}-rank_error"' in response.text
    assert f'<label for="id_row-{first.pk}-rank">' in response.text


def test_two_golds_without_a_tie_are_refused_and_with_a_tie_on_both_accepted(desk_client, final):
    first, second, *_rest = entries_of(final.event)
    data = page_data(desk_client.get(desk_url(final.event)))
    data |= row(first, rank=1, mark="6.12", medal="gold") | row(second, rank=1, mark="6.12", medal="gold")

    refused = desk_client.post(desk_url(final.event), data)

    assert refused.status_code == 200
    message = "This round already has a gold medal. Tick 'tie' on both results if they are officially tied."
    assert message in row_errors(refused, first)
    assert message in row_errors(refused, second)
    assert not Result.objects.exists()

    tied = data | row(first, tie=True) | row(second, tie=True)
    assert desk_client.post(desk_url(final.event), tied).status_code == 302
    assert Result.objects.filter(medal="gold", tie=True).count() == 2


def test_a_tie_with_a_gold_already_published_is_entered_in_one_save(desk_client, published):
    first, _second, third, _fourth = entries_of(published.event)
    data = page_data(desk_client.get(desk_url(published.event))) | {"desk-note": "Officially tied for gold."}
    data |= row(first, tie=True) | row(third, rank=1, mark="6.12", medal="gold", tie=True)

    assert desk_client.post(desk_url(published.event), data).status_code == 302

    assert sorted(Result.objects.filter(medal="gold").values_list("entry__athlete__name", flat=True)) == [
        "Aytan Aliyeva",
        "Chinara Huseynova",
    ]


def test_gold_and_silver_swapped_in_one_save(desk_client, published):
    first, second, *_rest = entries_of(published.event)
    data = page_data(desk_client.get(desk_url(published.event))) | {"desk-note": "Places swapped after review."}
    data |= row(first, rank=2, medal="silver") | row(second, rank=1, medal="gold")

    response = desk_client.post(desk_url(published.event), data)

    assert response.status_code == 302, summary(response)
    assert Result.objects.get(entry=first).medal == "silver"
    assert Result.objects.get(entry=second).medal == "gold"


def test_a_mark_typed_with_its_record_is_kept_as_mark_and_record(desk_client, final):
    first, *_rest = entries_of(final.event)
    data = page_data(desk_client.get(desk_url(final.event))) | row(first, rank=1, mark="11.44 (SB)")

    assert desk_client.post(desk_url(final.event), data).status_code == 302

    result = Result.objects.get(entry=first)
    assert (result.mark, result.record) == ("11.44", "SB")


def test_a_database_refusal_comes_back_as_a_message_with_everything_typed(desk_client, event, monkeypatch):
    first, *_rest = entries_of(event)
    save = desk.RoundDesk.save

    def another_editor_creates_the_round_first(self, user):
        Round.objects.create(event=self.event, kind=self.kind)
        return save(self, user)

    monkeypatch.setattr(desk.RoundDesk, "save", another_editor_creates_the_round_first)
    data = page_data(desk_client.get(desk_url(event)))
    data |= {"round-label": "Final A"} | row(first, rank=1, mark="6.12", medal="gold")

    response = desk_client.post(desk_url(event), data)

    assert response.status_code == 200
    expected = (
        "Nothing was saved. This event already has a round of this kind. Open that round, or choose another kind. "
        "Everything you entered is still in the form below."
    )
    assert expected in summary(response)
    assert 'value="6.12"' in response.text and 'value="Final A"' in response.text
    assert not Round.objects.exists()
    assert not Result.objects.exists()


# Sources and history


def test_a_new_source_added_in_the_save_is_cited_by_every_result_and_recorded(desk_client, editor, published):
    first, second, third, _fourth = entries_of(published.event)
    data = page_data(desk_client.get(desk_url(published.event)))
    data |= {
        "cite-outlet": "World Para Athletics",
        "cite-title": "Long jump T13 final results",
        "cite-url": "https://example.org/results",
        "cite-published_on": "2024-08-30",
        "desk-note": NOTE,
    }
    data |= row(first, settled="official") | row(third, rank=3, mark="5.90", medal="bronze")

    assert desk_client.post(desk_url(published.event), data).status_code == 302

    source = Source.objects.get(outlet="World Para Athletics")
    assert Result.objects.get(entry=first).source == source
    assert Result.objects.get(entry=third).source == source
    assert Result.objects.get(entry=second).source is None  # untouched
    batch = Change.objects.for_object(source).get().batch
    assert Change.objects.filter(batch=batch).count() == 3
    correction = Change.objects.for_object(Result.objects.get(entry=first)).get()
    assert (correction.source, correction.correction_note) == (source, NOTE)


def test_every_change_of_a_save_shares_one_batch_that_reverts_in_one_step(desk_client, editor, published):
    first, second, third, fourth = entries_of(published.event)
    data = page_data(desk_client.get(desk_url(published.event))) | {"desk-note": NOTE}
    data |= row(first, settled="official") | row(second, clear=True)
    data |= row(third, rank=3, mark="5.90", medal="bronze") | row(fourth, rank=4, mark="5.12")

    assert desk_client.post(desk_url(published.event), data).status_code == 302

    batches = set(Change.objects.values_list("batch", flat=True))
    assert len(batches) == 1
    assert Change.objects.count() == 4

    history.revert_batch(batches.pop(), editor)

    stored = {result.entry: (result.rank, result.medal, result.settled) for result in published.results.all()}
    assert stored == {first: (1, "gold", "provisional"), second: (2, "silver", "provisional")}


def test_a_round_created_at_the_desk_reverts_with_its_results(desk_client, editor, event):
    first, *_rest = entries_of(event)
    data = page_data(desk_client.get(desk_url(event))) | row(first, rank=1, mark="6.12", medal="gold")
    assert desk_client.post(desk_url(event), data).status_code == 302
    batch = Change.objects.values_list("batch", flat=True).distinct().get()

    history.revert_batch(batch, editor)

    assert not Round.objects.exists()
    assert not Result.objects.exists()


def test_the_success_message_links_to_this_saves_changes(desk_client, final):
    first, *_rest = entries_of(final.event)
    data = page_data(desk_client.get(desk_url(final.event))) | row(first, rank=1, mark="6.12")

    page = desk_client.post(desk_url(final.event), data, follow=True)

    batch = Change.objects.get().batch
    message = str(next(iter(page.context["messages"])))
    assert f"{reverse('admin:team_change_changelist')}?batch={batch}" in message
    listing = desk_client.get(f"{reverse('admin:team_change_changelist')}?batch={batch}")
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1


# Fixed cost, whatever the size of the round


def desk_queries(client, url):
    client.get(url)  # warm-up: content types, sessions
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_desk_runs_a_fixed_number_of_queries_however_many_athletes(
    desk_client, published, django_assert_num_queries
):
    event = published.event
    url = desk_url(event)
    few = desk_queries(desk_client, url)
    delegation = event.entries.first().athlete.delegation
    for n in range(20):
        entry = make_entry(
            athlete=make_athlete(delegation=delegation, sport=event.sport, name=f"Extra {n:02}"), event=event
        )
        make_result(entry=entry, round=published, rank=10 + n, mark="4.00")
    heats = make_round(event=event, kind=Round.Kind.HEATS)
    make_result(entry=entry, round=heats, rank=9, progress="out")

    with django_assert_num_queries(few):
        assert desk_client.get(url).status_code == 200
    assert few <= 16


def test_the_day_runs_a_fixed_number_of_queries_however_many_rounds(desk_client, published, django_assert_num_queries):
    url = reverse("admin:team_desk_day", args=["2024-08-30"])
    few = desk_queries(desk_client, url)
    delegation = published.event.entries.first().athlete.delegation
    for _n in range(10):
        entry = make_entry(athlete=make_athlete(delegation=delegation))
        make_result(entry=entry, round=make_round(event=entry.event, scheduled_date=datetime.date(2024, 8, 30)))

    with django_assert_num_queries(few):
        response = desk_client.get(url)
    assert len(response.context["rounds"]) == 11


# The day's rounds


def test_the_day_lists_its_rounds_those_missing_results_first_each_linking_to_its_desk(desk_client, published):
    complete = make_entry()
    done = make_round(
        event=complete.event, scheduled_date=datetime.date(2024, 8, 30), scheduled_time=datetime.time(9, 0)
    )
    make_result(entry=complete, round=done, rank=1)

    response = desk_client.get(reverse("admin:team_desk_day", args=["2024-08-30"]))

    listed = [(item.round, item.entered, item.expected) for item in response.context["rounds"]]
    assert listed == [(published, 2, 4), (done, 1, 1)]
    assert desk_url(published.event) in response.text
    assert "2 of 4 results entered" in response.text
    assert reverse("admin:team_desk_day", args=["2024-08-29"]) in response.text
    assert reverse("admin:team_desk_day", args=["2024-08-31"]) in response.text


def test_the_desk_opens_on_todays_day_at_the_venue_within_the_games(desk_client, published):
    response = desk_client.get(reverse("admin:team_desk_today"))

    games = published.event.games
    assert response.status_code == 200
    assert games.start_date <= response.context["day"] <= games.end_date


# Where editors find the desk


def test_the_athletes_page_links_each_entry_to_the_desk_where_its_result_goes(desk_client, published):
    _first, _second, third, _fourth = entries_of(published.event)

    response = desk_client.get(reverse("admin:team_athlete_change", args=[third.athlete_id]))

    assert f'href="{desk_url(published.event)}#entry-{third.pk}"' in response.text


def test_an_entry_in_an_event_without_rounds_links_to_its_final(desk_client, event):
    first, *_rest = entries_of(event)

    response = desk_client.get(reverse("admin:team_athlete_change", args=[first.athlete_id]))

    assert f'href="{desk_url(event)}#entry-{first.pk}"' in response.text


def test_the_events_page_links_to_each_rounds_desk_and_to_new_rounds(desk_client, published):
    response = desk_client.get(reverse("admin:team_event_change", args=[published.event.pk]))

    assert response.status_code == 200
    assert f'href="{desk_url(published.event)}"' in response.text
    assert f'href="{desk_url(published.event, Round.Kind.HEATS)}"' in response.text


@pytest.mark.parametrize("model", ["athlete", "event"])
def test_the_add_pages_of_records_that_link_to_the_desk_still_open(desk_client, model):
    assert desk_client.get(reverse(f"admin:team_{model}_add")).status_code == 200


# Tampered input never gives a server error


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rank", "abc"),
        ("rank", "99999999999999999999999"),
        ("rank", "-1"),
        ("mark", "6.12\x00"),
        ("mark", "A" * 5000),
        ("status", "exploded"),
        ("seen_version", "99999999999999999999999"),
        ("seen_version", "abc"),
        ("correction_note", "\x00"),
    ],
)
def test_a_tampered_row_value_is_refused_without_a_server_error(desk_client, published, field, value):
    first, *_rest = entries_of(published.event)
    data = page_data(desk_client.get(desk_url(published.event))) | row(first, **{field: value})

    response = desk_client.post(desk_url(published.event), data)

    assert response.status_code in (200, 302)
    assert Result.objects.get(entry=first).mark == "6.12"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("row-TOTAL_FORMS", "99999999999999"),
        ("row-TOTAL_FORMS", "abc"),
        ("round-scheduled_date", "2024-02-30"),
        ("round-scheduled_date", "1999-01-01"),
        ("round-scheduled_time", "25:61"),
        ("cite-source", "99999999999999999999999"),
        ("cite-source", "abc"),
        ("cite-url", "\x00"),
        ("desk-note", "\x00"),
    ],
)
def test_tampered_page_fields_are_refused_without_a_server_error(desk_client, event, key, value):
    first, *_rest = entries_of(event)
    data = page_data(desk_client.get(desk_url(event))) | row(first, rank=1, mark="6.12") | {key: value}

    response = desk_client.post(desk_url(event), data)

    assert response.status_code == 200
    assert summary(response)
    assert not Result.objects.exists()


def test_a_row_for_an_athlete_of_another_event_is_refused(desk_client, published):
    stranger = make_entry()
    data = page_data(desk_client.get(desk_url(published.event))) | row(stranger, rank=1, mark="6.50")

    response = desk_client.post(desk_url(published.event), data)

    assert response.status_code == 200
    assert any("not (or no longer) entered in this event" in message for message in summary(response))
    assert not Result.objects.filter(entry=stranger).exists()


@pytest.mark.parametrize(
    "address",
    [
        "desk/{event}/semi/",
        "desk/abc/final/",
        "desk/99999999999999999999999/final/",
        "desk/-1/final/",
        "desk/day/2024-02-30/",
        "desk/day/yesterday/",
        "desk/day/99999-01-01/",
    ],
)
def test_an_address_that_is_not_a_desk_is_not_found(desk_client, event, address):
    url = reverse("admin:team_round_changelist") + address.format(event=event.pk)

    assert desk_client.get(url).status_code == 404
    assert desk_client.post(url, {}).status_code in (403, 404)


def test_a_nul_byte_in_the_address_is_refused_with_a_400(desk_client, event):
    assert desk_client.get(desk_url(event), {"q": "\x00"}).status_code == 400


# Permissions


def test_a_staff_member_outside_the_editors_is_refused(client, django_user_model, event):
    client.force_login(django_user_model.objects.create_user("guest", is_staff=True))

    assert client.get(desk_url(event)).status_code == 403
    assert client.post(desk_url(event), {}).status_code == 403
    assert client.get(reverse("admin:team_desk_today")).status_code == 403


def test_an_editor_who_may_not_add_rounds_enters_results_but_creates_no_round(desk_client, editor, final):
    Group.objects.get(name=EDITORS).permissions.remove(Permission.objects.get(codename="add_round"))

    assert desk_client.get(desk_url(final.event)).status_code == 200
    assert desk_client.get(desk_url(final.event, Round.Kind.HEATS)).status_code == 403


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login(client, event):
    response = client.get(desk_url(event))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
