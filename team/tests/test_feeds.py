"""The Atom feeds of what changed: valid Atom, newest first, stable ids, one per athlete, cached like pages."""

import datetime
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from team import history
from team.models import Athlete, Change, Delegation, Entry, Event, FormerSlug, Result, Round, Source
from team.tests.factories import grow_delegation, make_result, make_round

pytestmark = pytest.mark.usefixtures("article_data")

ATOM = "{http://www.w3.org/2005/Atom}"
FEED = reverse("team:feed")
SALEH_FEED = reverse("team:athlete_feed", args=["roman-saleh"])
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
AN_HOUR_AGO = timezone.now() - datetime.timedelta(hours=1)


def rfc3339(text):
    assert RFC3339.match(text or ""), text
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def one_text(element, name):
    (child,) = element.findall(f"{ATOM}{name}")
    assert (child.text or "").strip(), name
    return child.text


def links(element):
    return {link.get("rel", "alternate"): link.get("href") for link in element.findall(f"{ATOM}link")}


def atom(response):
    """The feed as parsed, after checking what RFC 4287 requires of a feed and of each entry."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    one_text(root, "id")
    one_text(root, "title")
    rfc3339(one_text(root, "updated"))
    feed_links = links(root)
    assert feed_links["alternate"].startswith("http://testserver/")
    assert urlsplit(feed_links["self"]).path == urlsplit(response.wsgi_request.build_absolute_uri()).path
    entries = root.findall(f"{ATOM}entry")
    has_author = bool(root.findall(f"{ATOM}author/{ATOM}name"))
    for entry in entries:
        assert one_text(entry, "id").startswith("tag:testserver,2024:")
        one_text(entry, "title")
        rfc3339(one_text(entry, "updated"))
        assert links(entry)["alternate"].startswith("http://testserver/")
        assert has_author or entry.findall(f"{ATOM}author/{ATOM}name")
    ids = [one_text(entry, "id") for entry in entries]
    assert len(ids) == len(set(ids))
    return root


def entries(root):
    """Each entry as (id, title, updated, link path with anchor, summary)."""
    found = []
    for entry in root.findall(f"{ATOM}entry"):
        link = urlsplit(links(entry)["alternate"])
        summary = entry.find(f"{ATOM}summary")
        found.append(
            (
                one_text(entry, "id"),
                one_text(entry, "title"),
                rfc3339(one_text(entry, "updated")),
                f"{link.path}#{link.fragment}",
                "" if summary is None else summary.text,
            )
        )
    return found


def titled(root, title):
    (entry,) = [entry for entry in entries(root) if entry[1] == title]
    return entry


def final_of(slug):
    event = Event.objects.get(slug=slug)
    return Round.objects.filter(event=event, kind="final").first() or make_round(event=event)


def entry_of(athlete, event):
    return Entry.objects.get(athlete__slug=athlete, event__slug=event)


@pytest.fixture
def saleh_gold():
    event = "swimming-men-s12-100m-backstroke"
    result = make_result(
        entry=entry_of("roman-saleh", event), round=final_of(event), rank=1, medal="gold", mark="1:01.20"
    )
    Result.objects.filter(pk=result.pk).update(updated_at=AN_HOUR_AGO)
    return result


@pytest.fixture
def abuzarli_out():
    """Abulfaz Abuzarli goes out in the quarterfinal of the 80 kg."""
    event = "taekwondo-men-k44-80kg"
    quarter = Round.objects.create(event=final_of(event).event, kind="quarterfinal")
    result = make_result(entry=entry_of("abulfaz-abuzarli", event), round=quarter, rank=5, mark="3-7", progress="out")
    Result.objects.filter(pk=result.pk).update(updated_at=AN_HOUR_AGO - datetime.timedelta(minutes=30))
    return result


@pytest.fixture
def saleh_heat():
    event = "swimming-men-s12-100m-freestyle"
    heats = Round.objects.create(event=final_of(event).event, kind="heats")
    result = make_result(entry=entry_of("roman-saleh", event), round=heats, rank=2, mark="58.90", progress="advanced")
    Result.objects.filter(pk=result.pk).update(updated_at=AN_HOUR_AGO - datetime.timedelta(hours=1))
    return result


@pytest.fixture
def khalilov_correction():
    """A correction of Imameddin Khalilov's record, citing the article."""
    athlete = Athlete.objects.get(slug="imameddin-khalilov")
    before = history.snapshot(athlete)
    athlete.status_reason = "Checked with the team."
    athlete.save()
    source = Source.objects.get(slug="azernews-paris-2024-opening")
    history.record_save(athlete, before, None, note="We had his class wrong.", source=source)
    return Change.objects.get(correction_note="We had his class wrong.")


@pytest.fixture
def news(saleh_gold, abuzarli_out, saleh_heat, khalilov_correction):
    return {"gold": saleh_gold, "out": abuzarli_out, "heat": saleh_heat, "correction": khalilov_correction}


# What the site's feed says


def test_the_feed_is_atom_with_what_the_feed_needs(client, news):
    root = atom(client.get(FEED))
    assert one_text(root, "title") == "Azerbaijan at the Paris 2024 Summer Paralympic Games: what changed"
    assert links(root)["alternate"] == "http://testserver/"
    assert links(root)["self"] == f"http://testserver{FEED}"
    assert len(entries(root)) == 4


def test_the_feed_is_valid_when_nothing_happened_yet(client):
    assert entries(atom(client.get(FEED))) == []


def test_entries_are_newest_first(client, news):
    found = entries(atom(client.get(FEED)))
    assert [entry[2] for entry in found] == sorted((entry[2] for entry in found), reverse=True)
    assert [entry[0].rsplit(":", 1)[1] for entry in found] == [
        found[0][0].rsplit(":", 1)[1],
        f"result-{news['gold'].pk}",
        f"result-{news['out'].pk}",
        f"result-{news['heat'].pk}",
    ]
    assert found[0][1].startswith("Correction:")


def test_a_medal_has_a_clear_title_and_links_to_the_athlete(client, news):
    guid, _title, updated, link, summary = titled(
        atom(client.get(FEED)), "Gold for Roman Saleh in the 100 m backstroke S12"
    )
    assert guid == f"tag:testserver,2024:result-{news['gold'].pk}"
    assert link == "/athletes/roman-saleh/#event-swimming-men-s12-100m-backstroke"
    assert updated == AN_HOUR_AGO.replace(microsecond=0) or abs(updated - AN_HOUR_AGO).total_seconds() < 1
    assert "Gold medal" in summary
    assert "place 1, 1:01.20" in summary


def test_a_result_gives_the_place_and_mark(client, news):
    _guid, _title, _updated, link, summary = titled(
        atom(client.get(FEED)), "Roman Saleh, 100 m freestyle S12, heats: place 2, 58.90"
    )
    assert link == "/athletes/roman-saleh/#event-swimming-men-s12-100m-freestyle"
    assert "Para swimming, men – 100 m freestyle S12" in summary


def test_an_elimination_says_where_the_athlete_went_out(client, news):
    _guid, _title, _updated, link, summary = titled(
        atom(client.get(FEED)), "Abulfaz Abuzarli, 80 kg K44: Eliminated in the quarterfinal (place 5, 3-7)"
    )
    assert link == "/athletes/abulfaz-abuzarli/#event-taekwondo-men-k44-80kg"
    assert "Eliminated in the quarterfinal" in summary


def test_a_correction_links_to_its_place_on_the_corrections_page_with_its_note_and_source(client, news):
    guid, title, updated, link, summary = entries(atom(client.get(FEED)))[0]
    assert title == "Correction: Imameddin Khalilov"
    anchor = link.split("#")[1]
    assert link == f"{reverse('team:corrections')}#{anchor}"
    assert guid == f"tag:testserver,2024:{anchor}"
    assert f'<h2 id="{anchor}">' in client.get(reverse("team:corrections")).text
    assert "We had his class wrong." in summary
    assert "Source:" in summary and "AzerNews" in summary
    assert abs(updated - news["correction"].at).total_seconds() < 1


def test_editing_a_result_keeps_its_entry_and_moves_its_date(client, news):
    before = titled(atom(client.get(FEED)), "Roman Saleh, 100 m freestyle S12, heats: place 2, 58.90")
    heat = Result.objects.get(pk=news["heat"].pk)
    heat.mark = "58.70"
    heat.save()

    found = entries(atom(client.get(FEED)))
    after = titled(atom(client.get(FEED)), "Roman Saleh, 100 m freestyle S12, heats: place 2, 58.70")
    assert after[0] == before[0]
    assert after[2] > before[2]
    assert found[0] == after
    assert len(found) == 4


def test_the_feed_holds_the_latest_fifty(client):
    grow_delegation(Delegation.objects.get(), 4)
    assert Result.objects.count() == 57
    assert len(entries(atom(client.get(FEED)))) == 50


# One feed per athlete


def test_an_athletes_feed_holds_only_their_news(client, news):
    root = atom(client.get(SALEH_FEED))
    assert one_text(root, "title") == "Roman Saleh – Azerbaijan at the Paris 2024 Summer Paralympic Games: what changed"
    assert links(root)["alternate"] == "http://testserver/athletes/roman-saleh/"
    assert [entry[1] for entry in entries(root)] == [
        "Gold for Roman Saleh in the 100 m backstroke S12",
        "Roman Saleh, 100 m freestyle S12, heats: place 2, 58.90",
    ]


def test_an_athletes_feed_holds_the_corrections_concerning_them(client, news):
    khalilov = [
        entry[1] for entry in entries(atom(client.get(reverse("team:athlete_feed", args=["imameddin-khalilov"]))))
    ]
    assert khalilov == ["Correction: Imameddin Khalilov"]
    assert not [entry for entry in entries(atom(client.get(SALEH_FEED))) if entry[1].startswith("Correction")]


def test_a_correction_of_an_athletes_result_is_in_their_feed(client, news):
    heat = Result.objects.get(pk=news["heat"].pk)
    before = history.snapshot(heat)
    heat.mark = "58.70"
    heat.save()
    history.record_save(heat, before, None, note="The official time is 58.70.")
    titles = [entry[1] for entry in entries(atom(client.get(SALEH_FEED)))]
    assert titles[0].startswith("Correction: Roman Saleh")
    khalilov = reverse("team:athlete_feed", args=["imameddin-khalilov"])
    assert [entry[1] for entry in entries(atom(client.get(khalilov)))] == ["Correction: Imameddin Khalilov"]


def test_a_former_slug_redirects_to_the_feed_now(client):
    athlete = Athlete.objects.get(slug="roman-saleh")
    FormerSlug.objects.create(athlete=athlete, slug="roman-salekh")
    response = client.get(reverse("team:athlete_feed", args=["roman-salekh"]))
    assert response.status_code == 301
    assert response["Location"] == SALEH_FEED


def test_an_unknown_athletes_feed_is_a_404(client):
    assert client.get(reverse("team:athlete_feed", args=["nobody"])).status_code == 404


# Manners: caching, other sites, queries, being found


@pytest.mark.parametrize("url", [FEED, SALEH_FEED])
def test_feeds_are_cached_and_revalidated_like_pages(client, page_cache, news, url):
    first = client.get(url)
    assert first.status_code == 200
    assert first["Cache-Control"].startswith("public")
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304

    heat = Result.objects.get(pk=news["heat"].pk)
    heat.mark = "58.70"
    heat.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert b"58.70" in changed.content


@pytest.mark.parametrize("url", [FEED, SALEH_FEED])
def test_any_site_may_read_the_feeds(client, page_cache, url):
    assert client.get(url)["Access-Control-Allow-Origin"] == "*"
    assert client.get(url)["Access-Control-Allow-Origin"] == "*"  # from the cache too


def test_feeds_refuse_writes(client):
    assert client.post(FEED).status_code == 405


FEED_QUERIES = {
    # The delegation, the latest results (with athlete, event, round and source), the corrections log.
    FEED: 3,
    # The same, and the athlete.
    SALEH_FEED: 4,
}


@pytest.mark.parametrize("factor", [1, 10])
@pytest.mark.parametrize(("url", "queries"), FEED_QUERIES.items())
def test_feeds_run_a_fixed_number_of_queries(client, news, django_assert_num_queries, url, queries, factor):
    grow_delegation(Delegation.objects.get(), factor)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200


def test_every_page_names_the_sites_feed(client):
    page = client.get(reverse("team:team")).text
    assert f'<link rel="alternate" type="application/atom+xml" href="{FEED}"' in page


def test_the_athlete_page_names_and_links_their_feed(client):
    page = client.get(reverse("team:athlete", args=["roman-saleh"])).text
    assert f'<link rel="alternate" type="application/atom+xml" href="{FEED}"' in page
    assert f'<link rel="alternate" type="application/atom+xml" href="{SALEH_FEED}"' in page
    assert f'Follow: <a href="{SALEH_FEED}" type="application/atom+xml">' in page


def test_the_corrections_page_links_the_feed(client):
    page = client.get(reverse("team:corrections")).text
    assert f'Follow: <a href="{FEED}" type="application/atom+xml">' in page
