"""Every readers' page: what it shows, what it does not, its queries, and its manners with bad input."""

import datetime
import json
import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from team.models import Athlete, Change, Delegation, Entry, Event, Round, Source
from team.tests.factories import grow_delegation, make_result, make_round

pytestmark = pytest.mark.usefixtures("article_data")

ATHLETE = reverse("team:athlete", args=["roman-saleh"])
EVENT = reverse("team:event", args=["athletics-men-t13-long-jump"])
SPORT = reverse("team:sport", args=["para-swimming"])

PAGES = [
    reverse("team:team"),
    ATHLETE,
    EVENT,
    SPORT,
    reverse("team:schedule"),
    reverse("team:medals"),
    reverse("team:classes"),
    reverse("team:sources"),
    reverse("team:corrections"),
    reverse("team:data"),
]


@pytest.fixture
def gold():
    """Abulfaz Abuzarli wins the 80 kg final, officially."""
    final = Round.objects.get(event__slug="taekwondo-men-k44-80kg", kind="final")
    Round.objects.filter(pk=final.pk).update(scheduled_date=datetime.date(2024, 8, 31), scheduled_time="15:30")
    entry = Entry.objects.get(athlete__slug="abulfaz-abuzarli")
    return make_result(entry=entry, round=final, rank=1, medal="gold", mark="12-3", settled="official")


# Athlete pages


def test_athlete_page_shows_events_classes_and_other_spellings(client):
    page = client.get(reverse("team:athlete", args=["imameddin-khalilov"])).text
    assert "<h1>Imameddin Khalilov</h1>" in page
    assert "Imamaddin Khalilov" in page
    assert "Flagbearer at the opening ceremony" in page
    assert '<a class="class-code" href="/classes/#class-K44">K44</a>' in page
    assert "Para taekwondo, men – 70 kg K44" in page
    assert "Some details on this page are being checked by our editors." in page


def test_athlete_page_shows_rounds_times_and_results(client, gold):
    page = client.get(reverse("team:athlete", args=["abulfaz-abuzarli"])).text
    assert "<caption>Rounds of Para taekwondo, men – 80 kg K44</caption>" in page
    assert '<time datetime="15:30">15:30</time> Paris time · 17:30 Baku time, Saturday 31 August' in page
    assert 'Place 1, 12-3 — <span class="medal medal-gold">Gold medal</span>' in page
    assert "Classifications" in page


def test_athlete_page_says_when_the_day_is_not_known(client):
    page = client.get(reverse("team:athlete", args=["orkhan-aslanov"])).text
    assert "12:00</time> Paris time · 14:00 Baku time, day to be confirmed" in page


def test_withdrawn_athlete_page_says_so(client):
    Athlete.objects.filter(slug="vali-israfilov").update(status="withdrawn", status_reason="Illness")
    page = client.get(reverse("team:athlete", args=["vali-israfilov"])).text
    assert "<strong>Withdrawn</strong>: Illness" in page


def test_unknown_athlete_is_a_404(client):
    response = client.get(reverse("team:athlete", args=["nobody"]))
    assert response.status_code == 404
    assert "Page not found" in response.text


# Event and sport pages


def test_event_page_shows_entrants_rounds_and_results(client, gold):
    page = client.get(reverse("team:event", args=["taekwondo-men-k44-80kg"])).text
    assert "<h1>Para taekwondo, men – 80 kg K44</h1>" in page
    assert '<a href="/athletes/abulfaz-abuzarli/">Abulfaz Abuzarli</a>' in page
    assert "<caption>Results: Final</caption>" in page
    assert "Gold medal" in page


def test_event_without_rounds_says_to_be_confirmed(client):
    page = client.get(reverse("team:event", args=["judo-men-class-tbc"])).text
    assert "Para judo, men – class to be confirmed" in page
    assert "Rounds and times to be confirmed." in page


def test_powerlifting_event_explains_it_has_one_class(client):
    page = client.get(reverse("team:event", args=["powerlifting-men-54kg"])).text
    assert "One class for all (weight categories only)" in page


def test_sport_page_lists_its_athletes_and_events_only(client):
    page = client.get(SPORT).text
    for name in ("Konul Suleymanova", "Roman Saleh", "Vali Israfilov"):
        assert name in page
    assert "Dursadaf Karimova" not in page
    assert "Para swimming, women – 50 m backstroke S2" in page
    assert "long jump" not in page


def test_unknown_event_and_sport_are_404s(client):
    assert client.get(reverse("team:event", args=["curling"])).status_code == 404
    assert client.get(reverse("team:sport", args=["curling"])).status_code == 404


# Schedule


def test_schedule_gives_paris_and_baku_times_by_day(client, gold):
    page = client.get(reverse("team:schedule")).text
    assert "Every time is given in Paris time, where the Games are, and in Baku time." in page
    assert '<h2 id="day-2024-08-31">Saturday 31 August</h2>' in page
    assert "15:30</time> Paris time · 17:30 Baku time" in page
    assert '<h2 id="day-tbc">Day to be confirmed</h2>' in page
    assert "12:00</time> Paris time · 14:00 Baku time" in page
    assert "Events with no schedule yet" in page
    assert "Para swimming, men – 100 m butterfly S12</a>: day and time to be confirmed" in page


# Medals


def test_medal_page_counts_by_sport_and_by_athlete_and_states_the_rule(client, gold):
    page = client.get(reverse("team:medals")).text
    assert "Azerbaijan has won 1 medal: 1 gold, 0 silver, 0 bronze." in page
    assert "At Tokyo 2020 Summer Paralympic Games the team won 14: 4 gold, 4 silver, 6 bronze (as reported)." in page
    assert "ranked by gold medals, then silver, then bronze" in page
    assert '<a href="/sports/para-taekwondo/">Para taekwondo</a></th><td>1</td><td>0</td><td>0</td><td>1</td>' in page
    assert '<h3 id="medallist-abulfaz-abuzarli">' in page


def test_medal_page_without_medals_says_so(client):
    assert "No medals yet." in client.get(reverse("team:medals")).text


# Glossary, sources, corrections


def test_glossary_explains_every_class_and_marks_those_the_team_uses(client):
    page = client.get(reverse("team:classes")).text
    assert '<div id="class-S12">' in page
    assert '<div id="class-J1">' in page
    assert "Judoka who are blind or see almost nothing" in page
    assert "event code" in page
    assert page.count("Azerbaijan competes</span>") == 12


def test_sources_page_shows_the_article_and_what_is_under_review(client):
    page = client.get(reverse("team:sources")).text
    assert "AzerNews, Laman Ismayilova" in page
    assert "There are 20 points we have not confirmed yet:" in page
    assert "Nuclear propulsion" in page
    assert "Azerbaijan has a delegation of 18 athletes competing in 7 sports" in page


def test_corrections_log_lists_corrections_with_date_and_what_changed(client, django_user_model):
    from team import history

    event = Event.objects.get(slug="athletics-men-f55-nuclear-propulsion")
    before = history.snapshot(event)
    event.discipline = "shot put"
    event.save()
    history.record_save(event, before, django_user_model.objects.create(username="ed"), note="Mistranslation.")
    page = client.get(reverse("team:corrections")).text
    assert "Mistranslation." in page
    assert "discipline: “nuclear propulsion” → “shot put”" in page
    assert "No corrections so far." not in page
    assert Change.objects.corrections().count() == 1


# What every page carries


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_its_own_title_description_canonical_and_open_graph(client, url):
    page = client.get(url).text
    title = re.search(r"<title>(.+?)</title>", page).group(1)
    assert title
    assert re.search(r'<meta name="description" content="[^"]{20,}">', page)
    assert f'<link rel="canonical" href="http://testserver{url}">' in page
    assert f'<meta property="og:title" content="{title}">' in page
    assert '<a class="skip-link" href="#content">' in page
    assert '<main id="content"' in page


def test_titles_and_descriptions_are_unique(client):
    titles, descriptions = set(), set()
    for url in PAGES:
        page = client.get(url).text
        titles.add(re.search(r"<title>(.+?)</title>", page).group(1))
        descriptions.add(re.search(r'<meta name="description" content="([^"]+)">', page).group(1))
    assert len(titles) == len(PAGES)
    assert len(descriptions) == len(PAGES)


@pytest.mark.parametrize("url", [reverse("team:team"), ATHLETE, EVENT])
def test_structured_data_is_valid_json_ld(client, url):
    page = client.get(url).text
    block = re.search(r'<script type="application/ld\+json">(.+?)</script>', page).group(1)
    data = json.loads(block)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] in {"SportsTeam", "Person", "SportsEvent"}


@pytest.mark.parametrize("url", PAGES)
def test_no_inline_script_or_style_and_no_third_party_host(client, url):
    page = client.get(url).text
    scripts = re.findall(r"<script(?P<attrs>[^>]*)>", page)
    assert all('type="application/ld+json"' in attrs for attrs in scripts)
    assert "<style" not in page
    assert " style=" not in page
    loaded = re.findall(r'(?:src|content)="https?://([^/"]+)', page) + re.findall(
        r'<link [^>]*href="https?://([^/"]+)', page
    )
    assert set(loaded) <= {"testserver", "schema.org"}
    # Links out go only to the originals of the sources we cite.
    cited = {urlsplit(url).hostname for url in Source.objects.exclude(url="").values_list("url", flat=True)}
    assert set(re.findall(r'<a [^>]*href="https?://([^/"]+)', page)) <= {"testserver", *cited}


def test_sitemap_lists_pages_athletes_events_and_sports(client):
    response = client.get(reverse("sitemap"))
    assert response.status_code == 200
    xml = response.text
    assert "<loc>http://testserver/</loc>" in xml
    assert "<loc>http://testserver/athletes/roman-saleh/</loc>" in xml
    assert "<loc>http://testserver/events/shooting-p4-50m/</loc>" in xml
    assert "<loc>http://testserver/sports/para-judo/</loc>" in xml
    assert xml.count("<loc>http://testserver/athletes/") == 19  # and as many under /az/ and /ru/


def test_robots_points_to_the_sitemap_and_does_not_name_the_admin(client, settings):
    text = client.get("/robots.txt").text
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow:\n" in text
    assert reverse("admin:index") not in text


def test_custom_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "There is nothing at this address." in response.text


def test_custom_500_page_leaks_nothing(client):
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "Something went wrong on our side" in page
    assert "Traceback" not in page


# Queries: a fixed number of simple ones, however large the team

# The team page: the delegation, the data-dependent options (sports, classes), one grouped count per
# facet (8), the list's count and rows with their classes, spellings and entries, and the glance
# (roster counts, medal tally, flagbearers, the previous Games' record). The unfiltered page adds its
# lead: the latest medals, the last change and the place in the medal table (3); during the Games, the
# coming rounds, their entries and results too (3 more, see test_front_page.py). These tests run after
# the article's Games.
PAGE_QUERIES = {
    reverse("team:team"): 23,
    reverse("team:team") + "?sport=para-swimming&gender=M&q=saleh&sort=name": 20,
    # Empty: no rows to decorate, but one count per active filter says which emptied the list.
    reverse("team:team") + "?sport=para-judo&classification=S12": 18,
    ATHLETE: 7,
    EVENT: 5,
    SPORT: 6,
    # The schedule: the delegation, the sports and athletes offered, one grouped count per facet (4),
    # the rounds, their entries and the team's results in them (who is still in), and the events with no
    # round yet.
    reverse("team:schedule"): 11,
    reverse("team:schedule") + "?sport=para-swimming&athlete=konul-suleymanova": 11,
    # Medal rounds (or a day) asked for: no event without rounds can match, so those are not looked up.
    reverse("team:schedule") + "?sport=para-swimming&athlete=konul-suleymanova&rounds=medal": 10,
    # Empty: no entries to fetch, but one count per active filter says which emptied the list.
    reverse("team:schedule") + "?day=2024-08-29": 9,
    reverse("team:schedule") + "?sport=para-judo&athlete=roman-saleh&rounds=medal": 11,
    # The medals: the delegation, the medal results, the tally by sport, by day (the charts) and in all,
    # the previous Games' record, the places in the medal tables and the facts about the Games.
    reverse("team:medals"): 8,
    reverse("team:classes"): 3,
    # The sources: the delegation, the sources, what cites them (results, corrections, athletes, events,
    # facts about the Games, places in medal tables, earlier Games' medals) and the open review points.
    reverse("team:sources"): 10,
    reverse("team:corrections"): 2,
}


@pytest.mark.parametrize("factor", [1, 10])
@pytest.mark.parametrize(("url", "queries"), PAGE_QUERIES.items())
def test_public_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, url, queries, factor):
    grow_delegation(Delegation.objects.get(), factor)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200


def test_the_larger_team_really_is_ten_times_larger(client):
    grow_delegation(Delegation.objects.get(), 10)
    assert Athlete.objects.count() == 190
    assert "18 athletes were announced; we list 190 (172 more than announced), all competing." in (
        client.get(reverse("team:team")).text
    )


# Bad input never gives a 500

MALFORMED = [
    "?page=-1",
    "?page=1e9",
    "?page=%00",
    "?sport=%ff%fe",
    "?q=" + "x" * 3000,
    "?q=%3Cscript%3Ealert(1)%3C/script%3E",
    "?day=2024-02-30",
    "?sort=-name",
    "?gender[]=W",
    "?classification=S12&classification=%22%3E",
    "?medal=gold&medal=gold",
    "?%ff=1",
]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("query", MALFORMED)
def test_malformed_parameters_never_give_a_500(client, url, query):
    response = client.get(url + query)
    assert response.status_code in (200, 302, 400)
    assert b"<script>alert(1)" not in response.content


def test_only_get_and_head_are_allowed_on_public_pages(client):
    assert client.post(reverse("team:team")).status_code == 405
    assert client.head(reverse("team:team")).status_code == 200


def test_scheduled_result_day_is_filterable_on_the_team_page(client, gold):
    response = client.get(reverse("team:team"), {"day": "2024-08-31"})
    assert [a.name for a in response.context["page"].object_list] == ["Abulfaz Abuzarli"]


def test_two_entrants_of_one_event_share_one_event_page(client):
    make_round(event=Event.objects.get(slug="shooting-p4-50m"))
    page = client.get(reverse("team:event", args=["shooting-p4-50m"])).text
    assert "Kamran Zeynalov" in page
    assert "Aybeniz Babayeva" in page


@pytest.mark.parametrize("url", [reverse("team:team"), ATHLETE, SPORT, reverse("team:schedule")])
def test_class_codes_in_event_names_point_to_an_explanation_on_the_same_page(client, url):
    page = client.get(url).text
    described = set(re.findall(r'aria-describedby="(class-note-[^"]+)"', page))
    assert described
    for target in described:
        assert f'<div id="{target}">' in page
    assert "Classes on this page" in page


def test_admin_pages_ask_search_engines_to_keep_out(client, django_user_model):
    assert client.get(reverse("admin:login"))["X-Robots-Tag"] == "noindex, nofollow"
    client.force_login(django_user_model.objects.create_superuser("desk", "desk@example.com", "a-long-passphrase"))
    assert client.get(reverse("admin:index"))["X-Robots-Tag"] == "noindex, nofollow"
    assert client.get(reverse("admin:team_athlete_changelist"))["X-Robots-Tag"] == "noindex, nofollow"
