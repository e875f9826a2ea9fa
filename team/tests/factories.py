"""Small builders for test data: each fills in what a test does not care about."""

import datetime
import itertools

from team.models import (
    Athlete,
    Delegation,
    Entry,
    Event,
    Games,
    Result,
    Round,
    Sport,
    SportClass,
)

_serial = itertools.count(1)


def make_games(**fields):
    n = next(_serial)
    defaults = {
        "slug": f"games-{n}",
        "name": f"Test Games {n}",
        "season": Games.Season.SUMMER,
        "year": 2024,
        "host_city": "Paris",
        "host_country": "France",
        "start_date": datetime.date(2024, 8, 28),
        "end_date": datetime.date(2024, 9, 8),
        "time_zone": "Europe/Paris",
    }
    return Games.objects.create(**{**defaults, **fields})


def make_delegation(games=None, **fields):
    defaults = {"country": "Azerbaijan", "npc_code": "AZE", "home_time_zone": "Asia/Baku"}
    return Delegation.objects.create(games=games or make_games(), **{**defaults, **fields})


def make_sport(**fields):
    n = next(_serial)
    defaults = {"slug": f"sport-{n}", "name": f"Sport {n}"}
    return Sport.objects.create(**{**defaults, **fields})


def make_sport_class(sport=None, **fields):
    n = next(_serial)
    defaults = {"code": f"C{n}", "impairment": SportClass.Impairment.PHYSICAL, "meaning": "A test class."}
    return SportClass.objects.create(sport=sport or make_sport(), **{**defaults, **fields})


def make_athlete(delegation=None, sport=None, **fields):
    n = next(_serial)
    defaults = {"slug": f"athlete-{n}", "name": f"Athlete {n}", "gender": "W"}
    return Athlete.objects.create(
        delegation=delegation or make_delegation(), sport=sport or make_sport(), **{**defaults, **fields}
    )


def make_event(games=None, sport=None, **fields):
    n = next(_serial)
    defaults = {"slug": f"event-{n}", "gender": "W", "discipline": "100 m"}
    return Event.objects.create(games=games or make_games(), sport=sport or make_sport(), **{**defaults, **fields})


def make_entry(athlete=None, event=None, **fields):
    athlete = athlete or make_athlete()
    event = event or make_event(games=athlete.delegation.games, sport=athlete.sport, gender=athlete.gender)
    return Entry.objects.create(athlete=athlete, event=event, **fields)


def make_round(event=None, kind=Round.Kind.FINAL, **fields):
    return Round.objects.create(event=event or make_event(), kind=kind, **fields)


def make_result(entry=None, round=None, **fields):
    entry = entry or make_entry()
    round = round or Round.objects.filter(event=entry.event, kind=Round.Kind.FINAL).first()
    round = round or make_round(event=entry.event)
    return Result.objects.create(entry=entry, round=round, **fields)


def grow_delegation(delegation, factor):
    """Add athletes until the delegation is `factor` times the article's 19, each with an alias,
    a class, an event, a scheduled final and a bronze medal, so every page has more of everything."""
    sports = list(Sport.objects.all()) or [make_sport()]
    for n in range(19 * (factor - 1)):
        sport = sports[n % len(sports)]
        athlete = make_athlete(delegation=delegation, sport=sport, gender="M")
        athlete.names.create(name=f"{athlete.name} alias")
        athlete.sport_classes.add(make_sport_class(sport=sport))
        event = make_event(games=delegation.games, sport=sport, gender="M", mark_kind="other")
        entry = make_entry(athlete=athlete, event=event)
        final = make_round(
            event=event,
            scheduled_date=delegation.games.start_date or datetime.date(2024, 8, 29),
            scheduled_time=datetime.time(10, 30),
        )
        make_result(entry=entry, round=final, rank=3, medal="bronze")


def schedule_article():
    """Put the article's rounds on the calendar and add five more: ten rounds, five of them for medals.

    Swimming: 4 (Konul Suleymanova's S2 final on 29 Aug and her classification, day to be confirmed;
    Roman Saleh's heats and final on 29 Aug). Taekwondo: 2 on 31 Aug. Athletics: 1 on 30 Aug.
    Judo: a preliminary round and a bronze medal contest on 5 Sep, two athletes in each.
    Shooting: a mixed final on 2 Sep, two athletes.
    """

    def at(month, day, hour, minute=0):
        return {"scheduled_date": datetime.date(2024, month, day), "scheduled_time": datetime.time(hour, minute)}

    def update(event, kind, **when):
        assert Round.objects.filter(event__slug=event, kind=kind).update(**when) == 1

    update("taekwondo-men-k44-80kg", "classification", **at(8, 31, 10))
    update("taekwondo-men-k44-80kg", "final", **at(8, 31, 15, 30))
    update("swimming-women-s2-50m-backstroke", "final", **at(8, 29, 18))
    update("athletics-men-t13-long-jump", "unspecified", **at(8, 30, 12))
    backstroke = Event.objects.get(slug="swimming-men-s12-100m-backstroke")
    make_round(event=backstroke, kind=Round.Kind.HEATS, order=1, **at(8, 29, 10))
    make_round(event=backstroke, kind=Round.Kind.FINAL, order=2, **at(8, 29, 18, 30))
    judo = Event.objects.get(slug="judo-women-class-tbc")
    make_round(event=judo, kind=Round.Kind.PRELIMINARY, order=1, **at(9, 5, 10))
    make_round(event=judo, kind=Round.Kind.BRONZE, order=2, **at(9, 5, 16))
    make_round(event=Event.objects.get(slug="shooting-p4-50m"), kind=Round.Kind.FINAL, **at(9, 2, 9))
