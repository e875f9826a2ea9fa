"""The readers' pages. Each runs a fixed number of simple queries whatever the team's size."""

import secrets
from collections import Counter, defaultdict

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import F
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from team import charts, front
from team.caching import clock_bound, public_page
from team.dates import local_date
from team.filters import RosterFilter, ScheduleFilter
from team.models import (
    Athlete,
    Change,
    Delegation,
    Entry,
    Event,
    GamesFact,
    Result,
    ReviewFlag,
    Round,
    Source,
    Sport,
    SportClass,
    featured_lookup,
)
from team.outages import cache_outage

ROSTER_PAGE_SIZE = 50


def featured_delegation():
    delegation = Delegation.objects.featured(settings.FEATURED_DELEGATION)
    if delegation is None:
        raise Http404(_("The team this site follows has not been loaded yet."))
    return delegation


def event_of(delegation, slug):
    """The event at `slug` in the delegation's Games as its page and its share card show it, or None."""
    return Event.objects.for_page(delegation).filter(games=delegation.games, slug=slug).first()


def athlete_slug_now(delegation, slug):
    """The current slug of the delegation's athlete whose slug was `slug` before a correction, or None."""
    return delegation.athletes.formerly(slug).values_list("slug", flat=True).first()


def event_slug_now(delegation, slug):
    """The current slug of the event in the delegation's Games whose slug was `slug` before a correction, or None."""
    return Event.objects.filter(games=delegation.games).formerly(slug).values_list("slug", flat=True).first()


def url_without(request, name, value=None):
    """This page's URL with one filter value (or the whole filter) removed, back on page one."""
    query = request.GET.copy()
    query.pop("page", None)
    if value is None:
        query.pop(name, None)
    else:
        query.setlist(name, [v for v in query.getlist(name) if v != value])
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


def filter_links(request, chips, filterset, emptied):
    """The active filters as removable chips, and, for a list the filters `emptied`, each filter whose
    removal alone would show something (with how many): links for the page's "Active filters" and
    "Without the … filter there would be …"."""
    return {
        "chips": [
            {"label": chip.label, "value": chip.value_label, "url": url_without(request, chip.name, chip.value)}
            for chip in chips
        ],
        "culprits": [
            {"label": label, "count": count, "url": url_without(request, name)}
            for name, label, count in (filterset.what_emptied() if emptied else [])
        ],
    }


def page_number(request, paginator):
    """The requested page, or None when the parameter is not a page of this list."""
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= paginator.num_pages:
        return None
    return int(raw)


def classes_of(events):
    """The classes named by these events, for the page's "classes on this page" explanations."""
    found = {event.sport_class.code: event.sport_class for event in events if event.sport_class_id}
    return [found[code] for code in sorted(found)]


def events_of(athletes):
    """The events these athletes (from `Athlete.objects.for_cards()`) are entered in."""
    return [entry.event for athlete in athletes for entry in athlete.entry_list]


@require_safe
@public_page(params=lambda: [*RosterFilter.base_filters, "page"])
def team(request):
    """The delegation at a glance, and its roster with filters whose state lives in the URL.

    Empty parameters (a plain GET form sends them all) and unknown ones are redirected away by `public_page`.
    """
    delegation = featured_delegation()
    athletes = delegation.athletes.order_by("sport__name", "name")
    filterset = RosterFilter(request.GET, queryset=athletes, games=delegation.games)

    problems = []
    page = None
    if filterset.is_valid():
        # Athletes whose details are still being checked come last, after every confirmed one: a name
        # the editors have not confirmed should not open the roster.
        athletes = filterset.qs.for_cards()
        paginator = Paginator(athletes.order_by("under_review", *athletes.query.order_by), ROSTER_PAGE_SIZE)
        number = page_number(request, paginator)
        if number is None:
            problems.append(_("There is no page “%(page)s” of this list.") % {"page": request.GET.get("page")})
        else:
            page = paginator.page(number)
    else:
        problems = filterset.problems()

    counts = delegation.roster_counts()
    context = {
        "delegation": delegation,
        "meta": delegation.meta(),
        "counts": counts,
        "roster_sentence": front.roster_sentence(delegation.athletes_announced, counts["named"], counts["competing"]),
        "tally": delegation.medal_tally(),
        "facets": filterset.facets(),
        "query": request.GET.get("q", "").strip(),
        "classes_here": classes_of(events_of(page.object_list) if page else []),
        "sort": filterset.sort_key,
        "sort_choices": filterset.filters["sort"].extra["choices"],
        "page": page,
        "confirmed": [athlete for athlete in page.object_list if not athlete.under_review] if page else [],
        "checking": [athlete for athlete in page.object_list if athlete.under_review] if page else [],
        "problems": problems,
        **filter_links(request, filterset.chips(), filterset, emptied=page is not None and not page.object_list),
    }
    if not request.GET:
        # The whole team's page leads with the Games: today's or the next rounds, the latest medals, and
        # when editors last changed anything. The rounds listed hold until midnight at the venue.
        moment = front.now()
        coming = front.coming_up(delegation, moment)
        medals = front.medal_strip(delegation)
        places = delegation.medal_table_places()
        context |= {
            "coming": coming,
            "medals": medals,
            "updated": front.last_change(),
            "standing": places["current"] and standing_shown(places["current"]),
        }
        shown = [*(events_of(page.object_list) if page else []), *coming["events"], *(m["event"] for m in medals)]
        context["classes_here"] = classes_of(shown)
        if not coming["over"]:
            clock_bound(request, front.until_midnight(delegation.games, moment))
    return render(request, "team/team.html", context, status=400 if problems else 200)


@require_safe
@public_page
def athlete_detail(request, slug):
    delegation = featured_delegation()
    athlete = delegation.athletes.for_profile().filter(slug=slug).first()
    if athlete is None:
        # An address from before a correction of the slug answers with the athlete's address now.
        if current := athlete_slug_now(delegation, slug):
            return HttpResponsePermanentRedirect(reverse("team:athlete", kwargs={"slug": current}))
        raise Http404(_("No athlete at this address."))
    athlete.delegation = delegation
    entries = athlete.entry_list
    context = {
        "delegation": delegation,
        "athlete": athlete,
        "entries": entries,
        "meta": athlete.meta(),
        "classes_here": classes_of(entry.event for entry in entries),
    }
    return render(request, "team/athlete_detail.html", context)


@require_safe
@public_page
def event_detail(request, slug):
    delegation = featured_delegation()
    event = event_of(delegation, slug)
    if event is None:
        if current := event_slug_now(delegation, slug):
            return HttpResponsePermanentRedirect(reverse("team:event", kwargs={"slug": current}))
        raise Http404(_("No event at this address."))
    context = {"delegation": delegation, "event": event, "meta": event.meta()}
    return render(request, "team/event_detail.html", context)


@require_safe
@public_page
def sport_detail(request, slug):
    delegation = featured_delegation()
    sport = Sport.objects.filter(slug=slug).first()
    if sport is None:
        raise Http404(_("No sport at this address."))
    athletes = list(delegation.athletes.filter(sport=sport).for_cards().order_by("name"))
    events = set(events_of(athletes))
    context = {
        "delegation": delegation,
        "meta": delegation.meta(
            sport.local_name,
            _("%(country)s's athletes and events in %(sport)s.")
            % {"country": delegation.local_country, "sport": sport.local_name},
        ),
        "sport": sport,
        "athletes": athletes,
        "events": sorted(events, key=lambda event: event.name),
        "classes_here": classes_of(events),
    }
    return render(request, "team/sport_detail.html", context)


@require_safe
@public_page(params=lambda: [*ScheduleFilter.base_filters])
def schedule(request):
    """Every round the team is in, by day, in the venue's time and the readers' home time, with filters
    whose state lives in the URL, so that "the swimming schedule" is a link (`?sport=para-swimming`).

    Empty parameters and unknown ones are redirected away by `public_page`.
    """
    delegation = featured_delegation()
    filterset = ScheduleFilter(request.GET, queryset=Round.objects.contested_by(delegation), delegation=delegation)

    problems, rounds, waiting = [], [], []
    if filterset.is_valid():
        rounds = list(filterset.qs.as_scheduled(delegation))
        contenders = Entry.objects.in_contention().filter(athlete__delegation=delegation)
        events = Event.objects.filter(pk__in=contenders.values("event"), rounds__isnull=True)
        waiting = (
            filterset.without_rounds(events).select_related("sport", "sport_class").order_by("sport__name", "slug")
        )
    else:
        problems = filterset.problems()
    days = defaultdict(list)
    for round, entries in front.with_lineups(rounds):
        days[round.scheduled_date].append((round, entries))
    dated = sorted(((day, items) for day, items in days.items() if day is not None), key=lambda item: item[0])
    chips = filterset.chips()
    title = _("Schedule")
    if chips:
        title = _("Schedule: %(filters)s") % {"filters": ", ".join(str(chip.value_label) for chip in chips)}
    context = {
        "delegation": delegation,
        "meta": delegation.meta(
            title, _("When %(country)s competes, day by day.") % {"country": delegation.local_country}
        ),
        "days": dated,
        "unscheduled": days.get(None, []),
        "events_without_rounds": list(waiting),
        "facets": filterset.facets(),
        "problems": problems,
        "filtered": bool(chips),
        "count": len(rounds),
        **filter_links(request, chips, filterset, emptied=not problems and not rounds),
    }
    context["classes_here"] = classes_of([round.event for round in rounds] + context["events_without_rounds"])
    return render(request, "team/schedule.html", context, status=400 if problems else 200)


@require_safe
@public_page
def medals(request):
    delegation = featured_delegation()
    won = Result.objects.filter(entry__athlete__delegation=delegation).medals()
    results = list(
        won.select_related("entry__athlete__sport", "entry__event__sport", "entry__event__sport_class").order_by(
            "entry__event__sport__name", "rank"
        )
    )
    sports = {result.entry.event.sport_id: result.entry.event.sport for result in results}
    by_sport = [(sports[pk], counts) for pk, counts in won.tally_by("entry__event__sport").items()]
    by_sport = sorted(by_sport, key=lambda item: (medal_order(item[1]), item[0].name))
    by_athlete = defaultdict(list)
    for result in results:
        by_athlete[result.entry.athlete].append(result)
    tally = delegation.medal_tally()
    previous = delegation.previous_record()
    places = delegation.medal_table_places()
    context = {
        "delegation": delegation,
        "meta": delegation.meta(
            _("Medals"), _("%(country)s's medals by sport and by athlete.") % {"country": delegation.local_country}
        ),
        "tally": tally,
        "previous": previous,
        "standings": [standing_shown(standing) for standing in places.values() if standing is not None],
        "facts": list(delegation.games.facts.select_related("source")),
        "classes_here": classes_of(result.entry.event for result in results),
        "by_sport": by_sport,
        "by_athlete": sorted(
            by_athlete.items(),
            key=lambda item: (medal_order(Counter(result.medal for result in item[1])), item[0].name),
        ),
        "day_chart": charts.columns(charts.by_day(delegation.games.days(), won.tally_by("round__scheduled_date"))),
        "sport_chart": charts.bars((sport, sport.local_name, counts) for sport, counts in by_sport),
        "previous_chart": previous_chart(delegation, tally, previous),
    }
    return render(request, "team/medals.html", context)


def ordinal(number):
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st, as the reader's language writes places."""
    if number % 100 in (11, 12, 13):
        pattern = pgettext("ordinal 11, 12, 13", "{}th")
    else:
        pattern = {
            1: pgettext("ordinal 1", "{}st"),
            2: pgettext("ordinal 2", "{}nd"),
            3: pgettext("ordinal 3", "{}rd"),
        }.get(number % 10, pgettext("ordinal 0, 4-9", "{}th"))
    return pattern.format(number)


def standing_shown(standing):
    """A reported place in a medal table (`Standing`) as readers read it: the Games, the place in words
    ("14th of 85 in the medal table, as of 3 September", "tied 14th …", "… in the final medal table")
    and the standing itself, for its source."""
    place = ordinal(standing.place)
    if standing.tied:
        place = _("tied %(place)s") % {"place": place}
    values = {
        "place": place,
        "teams": standing.teams,
        "day": standing.as_of and local_date(standing.as_of, "day_month"),
    }
    if standing.teams and standing.as_of:
        words = _("%(place)s of %(teams)s in the medal table, as of %(day)s") % values
    elif standing.teams:
        words = _("%(place)s of %(teams)s in the final medal table") % values
    elif standing.as_of:
        words = _("%(place)s in the medal table, as of %(day)s") % values
    else:
        words = _("%(place)s in the final medal table") % values
    return {"games": standing.games, "words": words, "standing": standing}


def previous_chart(delegation, tally, previous):
    """This Games' medals so far beside the earlier Games' as reported, or None when none are reported."""
    if previous is None:
        return None
    return charts.bars(
        [
            (delegation.games, delegation.games.local_name, tally),
            (delegation.games.previous, delegation.games.previous.local_name, previous),
        ]
    )


def medal_order(counts):
    """Medal-table order: most golds first, then silvers, then bronzes."""
    return (-counts["gold"], -counts["silver"], -counts["bronze"])


@require_safe
@public_page
def classes(request):
    delegation = featured_delegation()
    glossary = list(SportClass.objects.select_related("sport").order_by("sport__name", "code"))
    used = set(
        Athlete.sport_classes.through.objects.filter(athlete__delegation=delegation).values_list(
            "sportclass__code", flat=True
        )
    )
    by_sport = defaultdict(list)
    for sport_class in glossary:
        sport_class.used = sport_class.code in used
        by_sport[sport_class.sport].append(sport_class)
    context = {
        "delegation": delegation,
        "meta": delegation.meta(
            _("Classes explained"), _("What the classification codes S12, T13, K44, J1 … mean, in plain words.")
        ),
        "by_sport": sorted(by_sport.items(), key=lambda item: item[0].name),
    }
    return render(request, "team/classes.html", context)


#: How many links to what a source supports the sources page lists in each group; the rest are counted.
CITED_LINKS_MOST = 50


def cited_groups(delegation):
    """What each source supports on the readers' pages, by source id: a list of groups (results, corrections,
    athletes, events, facts about the Games, places in medal tables, earlier Games' medals), each with a label
    that counts it, its links (at most `CITED_LINKS_MOST`, each a text and an address) and how many more there
    are. A correction is counted once however many records it changed (its changes share a batch). Seven
    queries."""
    medals_page = reverse("team:medals")
    found = defaultdict(lambda: defaultdict(list))

    results = (
        Result.objects.filter(entry__athlete__delegation=delegation, source__isnull=False)
        .select_related("entry__athlete", "entry__event__sport", "entry__event__sport_class", "round")
        .order_by("entry__athlete__name", "round__scheduled_date", "round__order", "pk")
    )
    for result in results:
        event = result.entry.event
        text = _("%(athlete)s: %(event)s, %(round)s") % {
            "athlete": result.entry.athlete.local_name,
            "event": event.name,
            "round": result.round.name.lower(),
        }
        found[result.source_id]["results"].append((text, f"{event.get_absolute_url()}#round-{result.round.kind}"))
    counted = set()
    for change in Change.objects.corrections().filter(source__isnull=False).order_by("-at", "-pk"):
        if (change.source_id, change.batch) in counted:
            continue
        counted.add((change.source_id, change.batch))
        text = f"{change.object_repr} ({local_date(change.at, 'date')})"
        found[change.source_id]["corrections"].append((text, reverse("team:corrections")))
    for athlete in delegation.athletes.filter(source__isnull=False).order_by("name"):
        found[athlete.source_id]["athletes"].append((athlete.local_name, athlete.get_absolute_url()))
    events = Event.objects.filter(games=delegation.games, source__isnull=False).select_related("sport", "sport_class")
    for event in sorted(events, key=lambda event: event.name):
        found[event.source_id]["events"].append((event.name, event.get_absolute_url()))
    games = [delegation.games_id, delegation.games.previous_id]
    for fact in GamesFact.objects.filter(games_id__in=games, source__isnull=False).order_by("games", "order"):
        found[fact.source_id]["facts"].append((f"{fact.local_label}: {fact.local_value}", f"{medals_page}#games-facts"))
    for standing in delegation.standings.filter(source__isnull=False).select_related("games"):
        text = _("Place in the %(games)s medal table") % {"games": standing.games.local_name}
        found[standing.source_id]["tables"].append((text, f"{medals_page}#medal-table"))
    for record in delegation.past_records.filter(source__isnull=False).select_related("games"):
        text = _("Medals won at the %(games)s") % {"games": record.games.local_name}
        found[record.source_id]["records"].append((text, medals_page))

    labels = {
        "results": lambda n: ngettext("%(count)d result", "%(count)d results", n),
        "corrections": lambda n: ngettext("%(count)d correction", "%(count)d corrections", n),
        "athletes": lambda n: ngettext("%(count)d athlete", "%(count)d athletes", n),
        "events": lambda n: ngettext("%(count)d event", "%(count)d events", n),
        "facts": lambda n: ngettext("%(count)d fact about the Games", "%(count)d facts about the Games", n),
        "tables": lambda n: ngettext("%(count)d place in a medal table", "%(count)d places in medal tables", n),
        "records": lambda n: ngettext(
            "%(count)d medal count from earlier Games", "%(count)d medal counts from earlier Games", n
        ),
    }
    return {
        source_id: [
            {
                "label": label(len(links)) % {"count": len(links)},
                "links": links[:CITED_LINKS_MOST],
                "more": max(len(links) - CITED_LINKS_MOST, 0),
            }
            for kind, label in labels.items()
            if (links := groups.get(kind))
        ]
        for source_id, groups in found.items()
    }


@require_safe
@public_page
def sources(request):
    """Every source, newest first, each with what it supports on the site; and what editors are checking."""
    delegation = featured_delegation()
    listed = Source.objects.order_by(F("published_on").desc(nulls_last=True), "-pk")
    cited = cited_groups(delegation)
    open_flags = [flag.local_note for flag in ReviewFlag.objects.open().order_by("slug")]
    context = {
        "delegation": delegation,
        "meta": delegation.meta(_("Sources"), _("Where our facts come from, and what our editors are checking.")),
        "sources": [(source, cited.get(source.pk, [])) for source in listed],
        "open_flags": open_flags,
    }
    return render(request, "team/sources.html", context)


@require_safe
@public_page
def corrections(request):
    """One entry per correction (all it changed, the note once, the source it cites). Two queries."""
    delegation = featured_delegation()
    log = Change.objects.corrections_log()
    context = {
        "delegation": delegation,
        "meta": delegation.meta(_("Corrections"), _("Every published fact we have corrected, with the date and why.")),
        "corrections": log,
    }
    return render(request, "team/corrections.html", context)


@require_safe
@never_cache
def health(request):
    """For load balancers and monitors: 200 when the database and the cache answer, else 503."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        # The data can be read but may not hold the team the site features: every page would be a 404.
        found = Delegation.objects.filter(**featured_lookup(settings.FEATURED_DELEGATION)).exists()
        checks["database"] = "ok"
        checks["featured"] = "ok" if found else f"error: {settings.FEATURED_DELEGATION} is not in the database"
    except DatabaseError as error:
        checks["database"] = f"error: {type(error).__name__}"
    try:
        # A value never written before: an old probe still in the cache cannot pass for a working write.
        # Its own key too: two health checks at once must not read each other's value.
        probe = secrets.token_hex(8)
        cache.set(f"health:probe:{probe}", probe, 10)
        kept = cache.get(f"health:probe:{probe}") == probe
        cache.delete(f"health:probe:{probe}")
        # A cache that degrades instead of raising has reported what failed.
        checks["cache"] = "ok" if kept else f"error: {cache_outage.recent() or 'value not kept'}"
    except Exception as error:  # any backend failure means the cache is not usable
        checks["cache"] = f"error: {type(error).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


@require_safe
def robots(request):
    """Everything public may be indexed. The admin is not named here (that would publish its address):
    its pages say `noindex` in their own headers instead."""
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    return HttpResponse(f"User-agent: *\nDisallow:\n\nSitemap: {sitemap}\n", content_type="text/plain")
