"""Every changelist of the editors' admin runs a fixed number of queries, however much data it lists.

Each team changelist is loaded as a superuser on the article's data, then again
after the data has grown about tenfold (more Games, delegations, sports,
athletes with their events, entries, final rounds and bronze medals, other
spellings, review flags on every kind of record, and history). The two counts
must be equal: a query per row (or per filter choice) would show as a
difference, and the failure names the queries that multiplied.
"""

import itertools
import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from team import history
from team.models import (
    AthleteName,
    Flagbearer,
    FormerSlug,
    GamesFact,
    MedalRecord,
    ReviewFlag,
    Round,
    Source,
)
from team.tests.admin_forms import team_admin_models
from team.tests.factories import (
    make_athlete,
    make_delegation,
    make_entry,
    make_event,
    make_games,
    make_result,
    make_round,
    make_sport,
    make_sport_class,
)

TEAM_MODELS = team_admin_models()

#: A changelist is one page: session, user, counts, the rows, and a few list-filter choices.
MAX_QUERIES = 12

ATHLETES_ADDED = 170
DELEGATIONS_ADDED = 10
EARLIER_GAMES_ADDED = 8
SPORTS_ADDED = 60
CLASSES_PER_SPORT = 3
FLAGS_ADDED = 170


def changelist(client, model):
    """The changelist's response and the SQL it ran (after one warm-up load, so caches are equal)."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, [query["sql"] for query in queries.captured_queries]


def shape(sql):
    """The query with its literal values blanked, so one query per row counts as one shape."""
    sql = re.sub(r"'[^']*'", "'…'", sql)
    sql = re.sub(r"\b\d+\b", "N", sql)
    sql = re.sub(r"\(N(?:, N)*\)", "(N, …)", sql)  # IN lists of any length
    return re.sub(r" LIMIT N(?: OFFSET N)?$", "", sql)  # a page of rows, or all of them


def multiplied(small, large):
    """The query shapes the large load ran more often than the small one, with how often."""
    extra = Counter(map(shape, large))
    extra.subtract(Counter(map(shape, small)))
    return {sql: count for sql, count in extra.items() if count}


def grow_tenfold(user):
    """Add about ten times the article's data, spread over every model the admin lists."""
    sources = [Source.objects.create(slug=f"wire-{n}", outlet="Wire service", title=f"Dispatch {n}") for n in range(20)]
    delegations = []
    for n in range(DELEGATIONS_ADDED):
        games = make_games(source=sources[n])
        for order in range(6):
            GamesFact.objects.create(games=games, slug=f"fact-{order}", label=f"Fact {order}", value="Many")
        delegations.append(make_delegation(games=games))
    sports = []
    for _ in range(SPORTS_ADDED):
        sport = make_sport()
        sports.append((sport, [make_sport_class(sport=sport) for _ in range(CLASSES_PER_SPORT)]))
    athletes, events, entries, rounds = [], [], [], []
    for n, delegation, (sport, (sport_class, *_others)) in zip(
        range(ATHLETES_ADDED), itertools.cycle(delegations), itertools.cycle(sports), strict=False
    ):
        athlete = make_athlete(delegation=delegation, sport=sport, gender="M" if n % 2 else "W")
        athlete.sport_classes.add(sport_class)
        AthleteName.objects.create(athlete=athlete, name=f"{athlete.name} (spelling {n})")
        event = make_event(games=delegation.games, sport=sport, gender=athlete.gender, sport_class=sport_class)
        entry = make_entry(athlete=athlete, event=event)
        final = make_round(event=event, kind=Round.Kind.FINAL)
        make_result(entry=entry, round=final, rank=3, medal="bronze")
        history.record_save(athlete, {}, user)
        athletes.append(athlete)
        events.append(event)
        entries.append(entry)
        rounds.append(final)
    earlier_games = [make_games(year=2000 + 4 * n) for n in range(EARLIER_GAMES_ADDED)]
    medal_records = [
        MedalRecord.objects.create(delegation=delegation, games=earlier, gold=1, silver=2, bronze=3, total=6)
        for delegation, earlier in zip(delegations, itertools.cycle(earlier_games), strict=False)
    ]
    for n, delegation in enumerate(delegations):
        delegation.standings.create(games=delegation.games, place=n + 1, teams=DELEGATIONS_ADDED)
    for athlete, event in zip(athletes, events, strict=True):
        FormerSlug.objects.create(athlete=athlete, slug=f"{athlete.slug}-misspelt")
        FormerSlug.objects.create(event=event, slug=f"{event.slug}-misspelt")
    for delegation in delegations:
        for ceremony in Flagbearer.Ceremony.values:
            athlete = delegation.athletes.first()
            Flagbearer.objects.create(delegation=delegation, athlete=athlete, ceremony=ceremony)
    targets = {
        "source": sources,
        "games": [delegation.games for delegation in delegations] + earlier_games,
        "delegation": delegations,
        "athlete": athletes,
        "event": events,
        "entry": entries,
        "round": rounds,
        "medal_record": medal_records,
    }
    # Round robin over the kinds of record, so the first page of flags shows every kind.
    flagged = (
        (kind, records[i]) for i in range(ATHLETES_ADDED) for kind, records in targets.items() if i < len(records)
    )
    for n, (kind, record) in enumerate(itertools.islice(flagged, FLAGS_ADDED)):
        ReviewFlag.objects.create(slug=f"check-{n:03}", note=f"Check this {kind}.", **{kind: record})
    # A revert, so the history lists one change pointing at another.
    athlete = athletes[0]
    before = history.snapshot(athlete)
    athlete.status_reason = "Checked."
    athlete.save()
    change = history.record_save(athlete, before, user, note="Checked.")
    history.revert(change, user)


def small_and_large(client, user, model):
    """The SQL the changelist runs on the article's data, then on ten times as much."""
    small_page, small = changelist(client, model)
    grow_tenfold(user)
    large_page, large = changelist(client, model)
    assert large_page.context["cl"].result_count > small_page.context["cl"].result_count
    return small, large


@pytest.mark.parametrize("model", TEAM_MODELS, ids=lambda model: model._meta.label)
def test_changelist_runs_as_many_queries_for_ten_times_the_data(admin_client, admin_user, article_data, model):
    small, large = small_and_large(admin_client, admin_user, model)

    assert len(large) == len(small), (
        f"{model._meta.label} changelist: {len(small)} queries on the article's data, {len(large)} on ten times "
        "as much. Queries run more often (extra runs × query, literals blanked):\n"
        + "\n".join(f"{count:+d} × {sql}" for sql, count in multiplied(small, large).items())
    )


@pytest.mark.parametrize("model", TEAM_MODELS, ids=lambda model: model._meta.label)
def test_changelist_runs_a_handful_of_queries(admin_client, admin_user, article_data, model):
    small, large = small_and_large(admin_client, admin_user, model)

    assert len(small) <= MAX_QUERIES, "\n".join(small)
    assert len(large) <= MAX_QUERIES, "\n".join(large)
