"""The article's fixtures, tested as data: every fact is there, traceable and flagged where needed."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings

from team.models import (
    Athlete,
    AthleteName,
    Delegation,
    Entry,
    Event,
    Flagbearer,
    Games,
    GamesFact,
    MedalRecord,
    ReviewFlag,
    Round,
    Source,
    Sport,
    SportClass,
)

pytestmark = pytest.mark.usefixtures("article_data")

ARTICLE = Path(settings.BASE_DIR.parent / "shared" / "seed" / "000_9a04e5af764580c8.txt")

# athlete slug → the events the article gives them: (sport, gender, class, discipline)
EXPECTED_EVENTS = {
    "royala-fataliyeva": {("para-taekwondo", "W", "K44", "52 kg")},
    "sabir-zeynalov": {("para-taekwondo", "M", "K44", "58 kg")},
    "imameddin-khalilov": {("para-taekwondo", "M", "K44", "70 kg")},
    "abulfaz-abuzarli": {("para-taekwondo", "M", "K44", "80 kg")},
    "konul-suleymanova": {
        ("para-swimming", "W", "S2", "100 m backstroke"),
        ("para-swimming", "W", "S2", "50 m backstroke"),
    },
    "musayev-archery": {("para-archery", "M", None, "para-bow")},
    "kamran-zeynalov": {
        ("shooting-para-sport", "M", "P1", "10 m"),
        ("shooting-para-sport", "X", "P4", "50 m"),
    },
    "aybeniz-babayeva": {
        ("shooting-para-sport", "W", "P2", "10 m"),
        ("shooting-para-sport", "X", "P4", "50 m"),
    },
    "olokhan-musayev": {("para-athletics", "M", "F55", "nuclear propulsion")},
    "rufat-rafiyev": {("para-athletics", "M", "F36", "nuclear propulsion")},
    "roman-saleh": {
        ("para-swimming", "M", "S12", "100 m backstroke"),
        ("para-swimming", "M", "S13", "50 m freestyle"),
        ("para-swimming", "M", "S12", "100 m freestyle"),
        ("para-swimming", "M", "S12", "100 m butterfly"),
    },
    "said-najafzadeh": {("para-athletics", "M", "T12", "long jump")},
    "orkhan-aslanov": {("para-athletics", "M", "T13", "long jump")},
    "lamiya-valiyeva": {
        ("para-athletics", "W", "T13", "100 m"),
        ("para-athletics", "W", "T13", "400 m"),
    },
    "jeyhun-mahmudov": {("para-powerlifting", "M", None, "54 kg")},
    "vali-israfilov": {("para-swimming", "M", "SB13", "100 m breaststroke")},
    "dursadaf-karimova": {("para-judo", "W", None, "")},
    "khatira-ismiyeva": {("para-judo", "W", None, "")},
    "ilham-zakiyev": {("para-judo", "M", None, "")},
}

# review flag slug → (target field, how to recognise the target)
EXPECTED_FLAGS = {
    "source-headline-and-date": "source",
    "games-start-date": "games",
    "delegation-athlete-count": "delegation",
    "delegation-genders-inferred": "delegation",
    "athlete-khalilov-spelling": "athlete",
    "delegation-names-in-other-scripts": "delegation",
    "athlete-musayev-archer": "athlete",
    "event-archery-para-bow": "event",
    "athlete-saleh-event-count": "athlete",
    "athlete-saleh-class": "athlete",
    "event-f55-nuclear-propulsion": "event",
    "event-f36-nuclear-propulsion": "event",
    "round-aslanov-start-time": "round",
    "entry-valiyeva-400m-follows": "entry",
    "round-suleymanova-classification": "round",
    "round-abuzarli-classifications": "round",
    "event-judo-women-classes": "event",
    "event-judo-men-classes": "event",
    "event-p4-mixed": "event",
    "medal-record-tokyo-unchecked": "medal_record",
}


@pytest.fixture
def azerbaijan():
    return Delegation.objects.get_by_natural_key("paris-2024", "AZE")


def test_source_record_names_outlet_author_and_keeps_the_text():
    source = Source.objects.get(slug="azernews-paris-2024-opening")
    assert source.outlet == "AzerNews"
    assert source.author == "Laman Ismayilova"
    assert source.published_on == datetime.date(2024, 8, 28)
    if ARTICLE.exists():
        assert source.body == ARTICLE.read_text()


@pytest.mark.parametrize(
    "model", [Games, GamesFact, Delegation, MedalRecord, Athlete, AthleteName, Flagbearer, Event, Entry, Round]
)
def test_every_fact_quotes_a_sentence_of_the_article_word_for_word(model):
    article = Source.objects.get(slug="azernews-paris-2024-opening")
    objects = list(model.objects.all())
    assert objects
    for obj in objects:
        assert obj.source_id == article.pk, obj
        assert obj.source_quote, obj
        assert obj.source_quote in article.body, obj


def test_delegation_size_and_sports_as_announced(azerbaijan):
    assert azerbaijan.country == "Azerbaijan"
    assert azerbaijan.athletes_announced == 18
    assert azerbaijan.sports_announced == 7
    assert "18 athletes competing in 7 sports" in azerbaijan.source_quote


def test_the_article_names_nineteen_people_in_seven_sports(azerbaijan):
    athletes = Athlete.objects.filter(delegation=azerbaijan)
    assert athletes.count() == 19
    assert athletes.values("sport").distinct().count() == 7


def test_each_athlete_is_entered_in_each_event_the_article_gives(azerbaijan):
    actual = {}
    for entry in Entry.objects.select_related("athlete", "event__sport", "event__sport_class"):
        event = entry.event
        actual.setdefault(entry.athlete.slug, set()).add(
            (event.sport.slug, event.gender, event.sport_class and event.sport_class.code, event.discipline)
        )
    assert actual == EXPECTED_EVENTS


def test_athlete_classes_are_the_ones_the_article_gives():
    saleh = Athlete.objects.get(slug="roman-saleh")
    assert set(saleh.sport_classes.values_list("code", flat=True)) == {"S12", "S13"}
    judoka = Athlete.objects.filter(sport__slug="para-judo")
    assert not SportClass.objects.filter(athletes__in=judoka).exists()


def test_flagbearers_are_khalilov_and_valiyeva_with_both_spellings(azerbaijan):
    bearers = Flagbearer.objects.filter(delegation=azerbaijan, ceremony="opening")
    assert set(bearers.values_list("athlete__slug", flat=True)) == {"imameddin-khalilov", "lamiya-valiyeva"}
    khalilov = Athlete.objects.get(slug="imameddin-khalilov")
    assert khalilov.name == "Imameddin Khalilov"
    assert list(khalilov.names.values_list("name", flat=True)) == ["Imamaddin Khalilov"]


def test_games_facts_as_the_article_states_them():
    paris = Games.objects.get(slug="paris-2024")
    assert (paris.host_city, paris.host_country) == ("Paris", "France")
    assert paris.end_date == datetime.date(2024, 9, 8)
    assert paris.time_zone == "Europe/Paris"
    assert paris.previous.slug == "tokyo-2020"
    facts = {fact.slug: fact for fact in paris.facts.all()}
    assert facts["athletes"].number == 4000
    assert facts["womens-events"].number == 235
    assert facts["womens-events-increase"].number == 8
    assert "first time Paris is hosting the Summer Paralympics" in facts["first-in-paris"].source_quote
    assert facts["france-hosts-again"].number == 2
    assert "Tignes and Albertville" in facts["france-hosts-again"].value
    assert "1992" in facts["france-hosts-again"].value


def test_previous_games_record_as_reported(azerbaijan):
    record = MedalRecord.objects.get(delegation=azerbaijan)
    assert record.games.slug == "tokyo-2020"
    assert (record.gold, record.silver, record.bronze, record.total) == (4, 4, 6, 14)
    assert record.gold + record.silver + record.bronze == record.total


def test_the_one_start_time_is_kept_without_a_day():
    round = Round.objects.get(event__slug="athletics-men-t13-long-jump")
    assert round.scheduled_time == datetime.time(12, 0)
    assert round.scheduled_date is None
    assert round.kind == Round.Kind.UNSPECIFIED
    assert Round.objects.exclude(scheduled_time=None).count() == 1


def test_rounds_the_article_mentions():
    def rounds(slug):
        return list(Round.objects.filter(event__slug=slug).values_list("kind", "label"))

    assert rounds("swimming-women-s2-50m-backstroke") == [("classification", "classification"), ("final", "final")]
    assert rounds("taekwondo-men-k44-80kg") == [
        ("classification", "classifications"),
        ("final", "final matches"),
    ]


@pytest.mark.parametrize(("slug", "target"), EXPECTED_FLAGS.items())
def test_review_flag_raised_where_the_article_needs_a_check(slug, target):
    flag = ReviewFlag.objects.get(slug=slug)
    assert flag.resolved_at is None
    assert flag.note
    assert getattr(flag, f"{target}_id") is not None


def test_no_unexpected_review_flags():
    assert set(ReviewFlag.objects.values_list("slug", flat=True)) == set(EXPECTED_FLAGS)


def test_flags_point_at_the_right_facts():
    assert ReviewFlag.objects.get(slug="athlete-musayev-archer").athlete.name == "Musayev"
    assert ReviewFlag.objects.get(slug="event-f55-nuclear-propulsion").event.sport_class.code == "F55"
    assert ReviewFlag.objects.get(slug="round-aslanov-start-time").round.scheduled_time == datetime.time(12)
    entry = ReviewFlag.objects.get(slug="entry-valiyeva-400m-follows").entry
    assert (entry.athlete.slug, entry.event.discipline) == ("lamiya-valiyeva", "400 m")


def test_reference_glossary_explains_every_class_used_and_cites_the_ipc():
    used = set(Event.objects.exclude(sport_class=None).values_list("sport_class__code", flat=True))
    used |= set(Athlete.objects.values_list("sport_classes__code", flat=True)) - {None}
    glossary = SportClass.objects.filter(code__in=used)
    assert glossary.count() == len(used)
    for sport_class in SportClass.objects.select_related("source"):
        assert sport_class.meaning
        assert sport_class.source.outlet == "International Paralympic Committee"
    assert Sport.objects.count() == 7


def test_every_loaded_object_passes_full_clean():
    for model in (Games, GamesFact, Delegation, MedalRecord, Athlete, AthleteName, Flagbearer, Event, Entry, Round):
        for obj in model.objects.all():
            obj.full_clean()
    for flag in ReviewFlag.objects.all():
        flag.full_clean()
