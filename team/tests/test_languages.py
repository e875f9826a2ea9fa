"""The site in English, Azerbaijani and Russian: addresses, switcher, hreflang, catalogues, content, names, dates."""

import datetime
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from team.dates import FORMATS, local_date
from team.models import Athlete, Delegation, Entry, Round, Sport, SportClass
from team.tests.factories import grow_delegation, make_result

pytestmark = pytest.mark.usefixtures("article_data")

LANGUAGES = ("en", "az", "ru")
OTHERS = ("az", "ru")
LOCALE = Path(settings.BASE_DIR) / "locale"


def address(path, language):
    """The address of `path` (an English address) in `language`."""
    return path if language == "en" else f"/{language}{path}"


def words(text, language):
    with translation.override(language):
        return translation.gettext(text)


# Addresses


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_is_at_its_own_address_whatever_the_browser_asks(client, language):
    for asked in ("en", "az", "ru"):
        response = client.get(address("/", language), HTTP_ACCEPT_LANGUAGE=asked)
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.text
        assert response["Content-Language"] == language
        # One address, one page: nothing varies by the browser's language, so caches keep one copy.
        assert "Accept-Language" not in response.get("Vary", "")


def test_english_keeps_its_addresses_and_has_no_prefix_of_its_own(client):
    assert client.get("/schedule/").status_code == 200
    assert client.get("/en/schedule/").status_code == 404
    assert client.get("/de/schedule/").status_code == 404


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_names_its_translations_with_hreflang(client, language):
    page = client.get(address("/schedule/?sport=para-swimming", language)).text
    for code in LANGUAGES:
        href = f"http://testserver{address('/schedule/', code)}?sport=para-swimming"
        assert f'<link rel="alternate" hreflang="{code}" href="{href}">' in page
    english = "http://testserver/schedule/?sport=para-swimming"
    assert f'<link rel="alternate" hreflang="x-default" href="{english}">' in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_switcher_is_plain_links_keeping_the_readers_filters(client, language):
    response = client.get(address("/", language), {"sport": "para-swimming", "gender": "M"})
    switcher = response.text.split('<nav class="languages"')[1].split("</nav>")[0]
    for code, name in (("en", "English"), ("az", "Azərbaycanca"), ("ru", "Русский")):
        link = f'<a href="{address("/", code)}?sport=para-swimming&amp;gender=M" hreflang="{code}" lang="{code}"'
        assert link in switcher
        current = ' aria-current="true"' if code == language else ""
        assert f"{link}{current}>{name}</a>" in switcher
    assert "<form" not in switcher and "Set-Cookie" not in str(response.headers)


def test_a_page_we_do_not_have_offers_the_front_page_in_each_language(client):
    response = client.get("/az/nowhere/")
    assert response.status_code == 404
    assert '<html lang="az">' in response.text
    assert 'href="/ru/" hreflang="ru"' in response.text


def test_the_sitemap_covers_every_language_with_alternates(client):
    sitemap = client.get("/sitemap.xml").text
    for path in ("/", "/schedule/", "/athletes/abulfaz-abuzarli/"):
        for code in LANGUAGES:
            assert f"<loc>http://testserver{address(path, code)}</loc>" in sitemap
            assert f'hreflang="{code}" href="http://testserver{address(path, code)}"' in sitemap
    assert 'hreflang="x-default" href="http://testserver/schedule/"' in sitemap


def test_each_language_is_cached_apart(client, page_cache):
    english, azerbaijani = client.get("/"), client.get("/az/")
    assert english["ETag"] != azerbaijani["ETag"]
    again = client.get("/az/")
    assert again.content == azerbaijani.content and '<html lang="az">' in again.text
    assert client.get("/az/", HTTP_IF_NONE_MATCH=azerbaijani["ETag"]).status_code == 304
    assert client.get("/", HTTP_IF_NONE_MATCH=azerbaijani["ETag"]).status_code == 200


# The catalogues


def entries(language):
    """Each entry of the language's catalogue: (flags, msgid, [msgstr …])."""
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text()
    found = []
    for block in text.split("\n\n")[1:]:
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not lines:
            continue
        flags = " ".join(line for line in lines if line.startswith("#,"))
        strings, current = {}, None
        for line in lines:
            if match := re.match(r'(msgid|msgid_plural|msgstr(?:\[\d\])?|msgctxt) "(.*)"$', line):
                current = match.group(1)
                strings[current] = match.group(2)
            elif line.startswith('"') and current:
                strings[current] += line[1:-1]
        translations = [value for key, value in strings.items() if key.startswith("msgstr")]
        found.append((flags, strings.get("msgid", ""), translations, "msgid_plural" in strings))
    return found


@pytest.mark.parametrize(("language", "forms"), [("az", 2), ("ru", 4)])
def test_every_message_is_translated_and_none_is_fuzzy(language, forms):
    catalogue = entries(language)
    assert len(catalogue) > 900
    for flags, msgid, translated, plural in catalogue:
        assert "fuzzy" not in flags, msgid
        assert len(translated) == (forms if plural else 1), msgid
        assert all(translated), f"{language}: no translation for {msgid!r}"


@pytest.mark.parametrize("language", OTHERS)
def test_the_compiled_catalogue_is_the_one_in_use(language):
    assert words("Schedule", language) != "Schedule"
    assert words("Open data", language) != "Open data"


# Every readers' page, in each language, with nothing of the English interface left

PAGES = [
    "/",
    "/?sport=para-swimming&gender=M",
    "/athletes/abulfaz-abuzarli/",
    "/athletes/roman-saleh/",
    "/events/taekwondo-men-k44-80kg/",
    "/sports/para-swimming/",
    "/schedule/",
    "/schedule/?rounds=medal",
    "/medals/",
    "/classes/",
    "/sources/",
    "/corrections/",
    "/data/",
    "/nowhere/",
]

# Words that mark an English sentence: two of them in one piece of text is English prose.
ENGLISH = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "with",
        "for",
        "is",
        "are",
        "from",
        "this",
        "that",
        "by",
        "at",
        "on",
        "not",
        "be",
        "has",
        "have",
        "was",
        "will",
        "were",
    ]
)


class Texts(HTMLParser):
    """The visible text of a page and the attributes readers meet (alt, title, labels), except what is
    marked as English (`lang="en"`), code, and scripts."""

    SKIPPED = {"script", "style", "code", "template"}
    SPOKEN = ("alt", "title", "aria-label", "placeholder")

    def __init__(self):
        super().__init__()
        self.stack, self.texts = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        english = attrs.get("lang") == "en" or (self.stack and self.stack[-1])
        if tag not in ("br", "img", "input", "meta", "link", "hr", "source", "col", "wbr"):
            self.stack.append(english or tag in self.SKIPPED)
        if not english:
            self.texts += [attrs[name] for name in self.SPOKEN if attrs.get(name)]
            if tag == "meta" and attrs.get("name") == "description":
                self.texts.append(attrs.get("content", ""))

    def handle_endtag(self, tag):
        if tag not in ("br", "img", "input", "meta", "link", "hr", "source", "col", "wbr") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if data.strip() and not (self.stack and self.stack[-1]):
            self.texts.append(data.strip())


# A source's own words quoted in a note stay as they were written.
QUOTED = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"|'[^']*'")


def english_left(html):
    parser = Texts()
    parser.feed(html)
    return [text for text in parser.texts if len(ENGLISH & set(re.findall(r"\w+", QUOTED.sub("", text).lower()))) >= 2]


@pytest.fixture
def results():
    """A bronze with its round dated, so the pages show results, medals and dates."""
    final = Round.objects.get(event__slug="taekwondo-men-k44-80kg", kind="final")
    Round.objects.filter(pk=final.pk).update(scheduled_date=datetime.date(2024, 8, 31))
    make_result(entry=Entry.objects.get(athlete__slug="abulfaz-abuzarli"), round=final, rank=3, medal="bronze")


@pytest.mark.parametrize("language", OTHERS)
@pytest.mark.parametrize("path", PAGES)
def test_no_english_interface_is_left_on_any_page(client, results, language, path):
    response = client.get(address(path, language))
    assert response.status_code in (200, 404)
    assert english_left(response.text) == []


@pytest.mark.parametrize("language", OTHERS)
def test_the_english_pages_would_fail_that_test(client, results, language):
    # The check itself: it finds the English interface on the English pages.
    assert english_left(client.get("/").text.replace('<html lang="en">', "<html>"))


# Content and names in each language


@pytest.mark.parametrize(
    ("language", "name"), [("en", "Abulfaz Abuzarli"), ("az", "Əbülfəz Əbuzərli"), ("ru", "Абульфаз Абузарли")]
)
def test_the_athletes_name_is_in_the_readers_script(client, language, name):
    page = client.get(address("/athletes/abulfaz-abuzarli/", language)).text
    assert f"<h1>{name}</h1>" in page
    others = {"en": "Abulfaz Abuzarli", "az": "Əbülfəz Əbuzərli", "ru": "Абульфаз Абузарли"}
    for code, other in others.items():
        if code != language:
            assert f'<span lang="{code}">{other}</span>' in page
    team = client.get(address("/", language)).text
    assert f">{name}</a>" in team


def test_a_name_not_yet_written_in_the_readers_script_shows_the_canonical_one_marked_english(client):
    Athlete.objects.filter(slug="roman-saleh").update(name_ru="")
    page = client.get("/ru/athletes/roman-saleh/").text
    assert '<h1><span lang="en">Roman Saleh</span></h1>' in page


@pytest.mark.parametrize("language", OTHERS)
def test_sports_classes_and_the_games_are_named_in_the_readers_language(client, language):
    sport = Sport.objects.get(slug="para-swimming")
    s12 = SportClass.objects.get(code="S12")
    games = Delegation.objects.get().games
    classes = client.get(address("/classes/", language)).text
    assert getattr(sport, f"name_{language}") and getattr(s12, f"meaning_{language}")
    assert getattr(sport, f"name_{language}") in classes
    assert getattr(s12, f"meaning_{language}") in classes
    assert s12.meaning not in classes
    front = client.get(address("/", language)).text
    assert getattr(games, f"name_{language}") in front


def test_a_missing_translation_shows_the_english_visibly_never_an_empty_field(client):
    SportClass.objects.filter(code="S12").update(meaning_az="")
    meaning = SportClass.objects.get(code="S12").meaning
    page = client.get("/az/classes/").text
    assert f'<span lang="en">{meaning}</span>' in page


def test_event_names_are_composed_from_translated_parts(client):
    page = client.get("/ru/events/swimming-men-s12-100m-backstroke/").text
    with translation.override("ru"):
        gender = translation.gettext("Men").lower()
    assert f"Параплавание, {gender}" in page or "Параплавание" in page
    assert "100 м" in page


# Dates


@pytest.mark.parametrize(
    ("language", "day", "month"),
    [("en", "Thursday", "August"), ("az", "cümə axşamı", "avqust"), ("ru", "четверг", "августа")],
)
def test_dates_are_in_the_locales_words(client, results, language, day, month):
    with translation.override(language):
        assert month in local_date(datetime.date(2024, 8, 29), "date")
        assert day.lower() in local_date(datetime.date(2024, 8, 29), "day").lower()
    page = client.get(address("/schedule/", language)).text
    assert month in page


def test_every_kind_of_date_has_a_format_in_every_language():
    for kind, formats in FORMATS.items():
        assert set(formats) == set(LANGUAGES), kind
        assert all("h" not in fmt and "A" not in fmt for fmt in formats.values())  # the 24-hour clock


# Data, calendars and feeds


def test_data_files_feeds_and_calendars_follow_the_address_language(client):
    document = json.loads(client.get("/ru/roster.json").content)
    assert document["schema"]["fields"][1]["title"] == words("Name", "ru")
    abuzarli = next(row for row in document["rows"] if row["athlete"] == "abulfaz-abuzarli")
    assert abuzarli["name"] == "Абульфаз Абузарли"
    assert abuzarli["sport_name"] == Sport.objects.get(slug="para-taekwondo").name_ru

    calendar = Calendar.from_ical(client.get("/az/schedule.ics").content)
    assert Delegation.objects.get().country_az in str(calendar["X-WR-CALNAME"])

    feed = client.get("/ru/feed.atom").text
    assert "<feed" in feed and 'href="http://testserver/ru/' in feed

    assert client.get("/az/data/archive.zip")["Content-Type"] == "application/zip"


# The editors' admin


def test_the_admin_follows_each_editors_own_language(client):
    login = reverse("admin:login")
    english = client.get(login, HTTP_ACCEPT_LANGUAGE="en")
    russian = client.get(login, HTTP_ACCEPT_LANGUAGE="ru")
    assert '<html lang="en"' in english.text and '<html lang="ru"' in russian.text
    assert "Accept-Language" in russian["Vary"]
    client.post(reverse("set_language"), {"language": "az", "next": login})
    assert '<html lang="az"' in client.get(login, HTTP_ACCEPT_LANGUAGE="ru").text


# The same work in every language


@pytest.mark.parametrize("factor", [1, 3])
@pytest.mark.parametrize("path", ["/", "/athletes/abulfaz-abuzarli/", "/schedule/", "/classes/", "/medals/"])
def test_query_counts_do_not_depend_on_the_language(client, django_assert_num_queries, results, path, factor):
    grow_delegation(Delegation.objects.get(), factor)
    counts = []
    for language in LANGUAGES:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address(path, language)).status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1, dict(zip(LANGUAGES, counts, strict=True))


@pytest.mark.parametrize("language", OTHERS)
def test_editors_forms_lists_and_menus_speak_the_editors_language(client, editor, language):
    from django.utils.text import capfirst

    from team.models import Games

    client.force_login(editor)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    games = Games.objects.get(slug="paris-2024")
    form = client.get(reverse("admin:team_games_change", args=[games.pk])).text
    assert f'<html lang="{language}"' in form
    assert f'<label class="required" for="id_host_city">{capfirst(words("host city", language))}:</label>' in form
    with translation.override(language):
        translated_copy = capfirst(f"{translation.gettext('host city')} ({translation.gettext('Azerbaijani')})")
    assert f'for="id_host_city_az">{translated_copy}:</label>' in form
    assert 'class="language-menu"' in form and f'<option value="{language}" lang="{language}" selected>' in form
    athletes = client.get(reverse("admin:team_athlete_changelist")).text
    with translation.override(language):
        assert capfirst(str(Athlete._meta.verbose_name_plural)) in athletes
        assert str(Athlete._meta.verbose_name_plural) != "athletes"


@pytest.mark.parametrize(("language", "country"), [("az", "Azərbaycan"), ("ru", "Азербайджан")])
def test_share_cards_are_drawn_in_the_pages_language(client, language, country):
    page = client.get(address("/", language)).text
    card = re.search(r'<meta property="og:image" content="([^"]+)">', page).group(1)
    alt = re.search(r'<meta property="og:image:alt" content="([^"]+)">', page).group(1)
    assert card.startswith(f"http://testserver/{language}/share/")
    assert country in alt
    picture = client.get(card.removeprefix("http://testserver"))
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
    assert picture.content != client.get(card.removeprefix(f"http://testserver/{language}")).content


def test_a_correction_in_english_only_warns_that_the_translations_still_say_the_old_fact(client, editor):
    from team.models import Event
    from team.tests.admin_forms import form_data

    client.force_login(editor)
    event = Event.objects.get(slug="athletics-men-f55-nuclear-propulsion")
    url = reverse("admin:team_event_change", args=[event.pk])
    data = form_data(client.get(url)) | {"discipline": "shot put", "correction_note": "Mistranslated in the source."}
    saved = client.post(url, data, follow=True)
    assert "You changed “discipline” in English only" in saved.text
    # Correcting the translations in the same save (or emptying them) says nothing more.
    data = form_data(client.get(url)) | {
        "discipline": "shot put F55",
        "discipline_az": "güllə itələmə",
        "discipline_ru": "толкание ядра",
        "correction_note": "Class added.",
    }
    assert "in English only" not in client.post(url, data, follow=True).text
    assert client.get("/ru/events/athletics-men-f55-nuclear-propulsion/").text.count("толкание ядра") >= 1


# Per page and language: its headings in that language


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_main_pages_headings_are_in_the_readers_language(client, results, language):
    delegation = Delegation.objects.get()
    with translation.override(language):
        expected = {
            "/": [f"<h1>{delegation.headline}</h1>", f'<h2 id="roster-heading">{translation.gettext("The team")}</h2>'],
            "/athletes/abulfaz-abuzarli/": [f"<h2>{translation.gettext('Events, schedule and results')}</h2>"],
            "/schedule/": [
                f"<h1>{translation.gettext('Schedule')}</h1>",
                f'<h2 id="day-2024-08-31">{local_date(datetime.date(2024, 8, 31), "day")[:1].upper()}',
            ],
            "/classes/": [
                f"<h1>{translation.gettext('Classes explained')}</h1>",
                f'<h2 id="glossary-para-swimming">{Sport.objects.get(slug="para-swimming").local_name}</h2>',
            ],
        }
    for path, headings in expected.items():
        page = client.get(address(path, language)).text
        for heading in headings:
            assert heading in page, (language, path, heading)
    if language != "en":
        assert "<h1>Schedule</h1>" not in client.get(address("/schedule/", language)).text


def test_corrections_are_told_in_each_language_where_the_editor_gave_the_note(client, editor):
    from team.models import Event
    from team.tests.admin_forms import form_data

    client.force_login(editor)
    event = Event.objects.get(slug="athletics-men-t13-long-jump")
    url = reverse("admin:team_event_change", args=[event.pk])
    form = client.get(url)
    assert 'name="correction_note_az"' in form.text and 'name="correction_note_ru"' in form.text
    data = form_data(form) | {
        "is_team": "on",
        "correction_note": "It is a team event.",
        "correction_note_az": "Bu, komanda yarışıdır.",
        "correction_note_ru": "Это командная дисциплина.",
    }
    assert client.post(url, data).status_code == 302
    client.logout()
    for language, note in (("az", "Bu, komanda yarışıdır."), ("ru", "Это командная дисциплина.")):
        page = client.get(address("/corrections/", language)).text
        assert f"<p>{note}</p>" in page
        with translation.override(language):
            label = str(Event._meta.get_field("is_team").verbose_name)
        assert label in page  # what changed, in that language's words
        assert english_left(page) == []
    assert "<p>It is a team event.</p>" in client.get("/corrections/").text

    # A note given in English only shows in English on the other pages, marked as English.
    client.force_login(editor)
    data = form_data(client.get(url)) | {"discipline": "long jump, T13", "correction_note": "Class named."}
    assert client.post(url, data).status_code == 302
    russian = client.get("/ru/corrections/").text
    assert '<p><span lang="en">Class named.</span></p>' in russian
    # The records' names are kept as they were recorded, in English, and say so.
    assert f'<span lang="en">{event}</span></h2>' in russian
