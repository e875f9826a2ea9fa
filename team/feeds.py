"""Atom feeds of what changed for readers: the site's (`/feed.atom`) and one per athlete.

An entry is a result (titled as a medal when it won one, with the way out of
the event when the athlete went out) or a public correction (one per
correction, as the corrections log groups them). Entry ids are tag: URIs
built from what never changes (a result's primary key, the moment a
correction was made), so a result corrected later is the same entry with a
new `updated` date, never a second one. Both feeds are readers' pages
(`team.caching.public_page`): cached by generation, with ETag and 304s, and
readable from any origin. Each runs a fixed number of queries.
"""

import datetime
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from team.caching import canonical_host, open_data, public_page
from team.models import Change, Result
from team.views import athlete_slug_now, featured_delegation

#: How many entries a feed holds: results and corrections together, the latest.
FEED_SIZE = 50


@dataclass
class FeedItem:
    key: str
    title: str
    link: str
    updated: datetime.datetime
    description: str
    guid: str = ""


def event_words(event):
    """The event as a headline names it after the sport is known: "100 m backstroke S12"."""
    detail = [event.discipline] if event.discipline else []
    if event.sport_class_id:
        detail.append(event.sport_class.code)
    return " ".join(detail) or event.name


def outcome(result):
    """Place, mark and record as the result line says them: "place 4, 1:05.32 SB"; the status if not finished."""
    if not result.finished:
        return result.get_status_display()
    parts = []
    if result.rank:
        parts.append(_("place %(rank)s") % {"rank": result.rank})
    if result.mark:
        parts.append(f"{result.mark} {result.record}".strip())
    return ", ".join(parts) or _("result recorded")


def result_title(result):
    athlete, event = result.entry.athlete, result.entry.event
    words = {"athlete": athlete.local_name, "event": event_words(event), "outcome": outcome(result)}
    if result.medal:
        return _("%(medal)s for %(athlete)s in the %(event)s") % {**words, "medal": result.get_medal_display()}
    if result.is_out:
        return _("%(athlete)s, %(event)s: %(out)s (%(outcome)s)") % {**words, "out": result.out_phrase()}
    return _("%(athlete)s, %(event)s, %(round)s: %(outcome)s") % {**words, "round": result.round.name.lower()}


def source_html(source):
    if source is None:
        return ""
    name = source.title or source.outlet
    cited = format_html('<a href="{}">{}</a>', source.url, name) if source.url else name
    return format_html("<p>{} {} ({})</p>", _("Source:"), cited, source.citation)


def result_item(result):
    event = result.entry.event
    facts = [event.name, result.round.name, outcome(result)]
    if result.medal:
        facts.append(_("%(medal)s medal") % {"medal": result.get_medal_display()})
    if result.is_out:
        facts.append(result.out_phrase())
    if result.is_provisional:
        facts.append(_("provisional"))
    elif result.is_amended:
        facts.append(_("amended"))
    return FeedItem(
        key=f"result-{result.pk}",
        title=result_title(result),
        link=f"{result.entry.athlete.get_absolute_url()}#event-{event.slug}",
        updated=result.updated_at,
        description=format_html("<p>{}</p>{}", " · ".join(str(fact) for fact in facts), source_html(result.source)),
    )


def correction_anchor(correction):
    """The id of a correction on the corrections page: the moment it was made, in UTC, to the microsecond."""
    return f"correction-{correction.at.astimezone(datetime.UTC):%Y%m%d%H%M%S%f}"


def correction_item(correction):
    anchor = correction_anchor(correction)
    body = format_html_join("", "<p>{}</p>", ((note,) for note in correction.notes))
    if correction.lines:
        lines = format_html_join("", "<li>{}: {}</li>", correction.lines)
        body = format_html("{}<ul>{}</ul>", body, lines)
    return FeedItem(
        key=anchor,
        title=_("Correction: %(records)s") % {"records": ", ".join(correction.records)},
        link=f"{reverse('team:corrections')}#{anchor}",
        updated=correction.at,
        description=format_html("{}{}", body, source_html(correction.source)),
    )


def latest(results, corrections):
    """The feed's entries, newest first: results and corrections together, `FEED_SIZE` at most."""
    items = [result_item(result) for result in results] + [correction_item(c) for c in corrections]
    items.sort(key=lambda item: (item.updated, item.key), reverse=True)
    return items[:FEED_SIZE]


def results_for_feed(results):
    """The latest results as feed entries show them (athlete, event with sport and class, round, source)."""
    return results.select_related(
        "entry__athlete", "entry__event__sport", "entry__event__sport_class", "round", "source"
    ).order_by("-updated_at", "-pk")[:FEED_SIZE]


def concerning(athlete):
    """Changes to the athlete's own record, entries and results."""
    entries = athlete.entries.annotate(key=Cast("pk", CharField())).values("key")
    results = Result.objects.filter(entry__athlete=athlete).annotate(key=Cast("pk", CharField())).values("key")
    kind = Q(content_type__app_label="team")
    return kind & (
        Q(content_type__model="athlete", object_id=str(athlete.pk))
        | Q(content_type__model="entry", object_id__in=entries)
        | Q(content_type__model="result", object_id__in=results)
    )


def tag(host, delegation, key):
    """A tag: URI (RFC 4151) naming `key` on this site for the delegation's Games."""
    return f"tag:{host},{delegation.games.year}:{key}"


class ChangesFeed(Feed):
    """What changed for readers of the whole team: results, medals and corrections.

    Called with the featured delegation (and, by `AthleteFeed`, the athlete).
    """

    feed_type = Atom1Feed

    def get_object(self, request, delegation, athlete=None):
        return {"delegation": delegation, "athlete": athlete, "host": canonical_host(request).partition(":")[0]}

    def results(self, obj):
        return Result.objects.filter(entry__athlete__delegation=obj["delegation"])

    def corrections(self, obj):
        return Change.objects.all()

    def items(self, obj):
        corrections = self.corrections(obj).corrections_log(most=FEED_SIZE)
        items = latest(results_for_feed(self.results(obj)), corrections)
        for item in items:
            item.guid = tag(obj["host"], obj["delegation"], item.key)
        return items

    def title(self, obj):
        return _("%(team)s: what changed") % {"team": obj["delegation"].headline}

    def subtitle(self, obj):
        return _("New results, medals and corrections, newest first.")

    def link(self, obj):
        return reverse("team:team")

    def feed_url(self, obj):
        return reverse("team:feed")

    def feed_guid(self, obj):
        return tag(obj["host"], obj["delegation"], "changes")

    def author_name(self, obj):
        return pgettext("feed author", "Paralympic team tracker")

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return item.link

    def item_description(self, item):
        return item.description

    def item_updateddate(self, item):
        return item.updated

    def item_guid(self, item):
        return item.guid


class AthleteFeed(ChangesFeed):
    """One athlete's results and medals, and the corrections concerning them."""

    def results(self, obj):
        return Result.objects.filter(entry__athlete=obj["athlete"])

    def corrections(self, obj):
        return Change.objects.filter(concerning(obj["athlete"]))

    def title(self, obj):
        return _("%(athlete)s – %(team)s: what changed") % {
            "athlete": obj["athlete"].name,
            "team": obj["delegation"].headline,
        }

    def subtitle(self, obj):
        return _("Results, medals and corrections of %(athlete)s, newest first.") % {"athlete": obj["athlete"].name}

    def link(self, obj):
        return obj["athlete"].get_absolute_url()

    def feed_url(self, obj):
        return reverse("team:athlete_feed", kwargs={"slug": obj["athlete"].slug})

    def feed_guid(self, obj):
        return tag(obj["host"], obj["delegation"], f"athlete-{obj['athlete'].pk}")


@require_safe
@public_page
@open_data
def changes_feed(request):
    return ChangesFeed()(request, delegation=featured_delegation())


@require_safe
@public_page
@open_data
def athlete_feed(request, slug):
    delegation = featured_delegation()
    athlete = delegation.athletes.filter(slug=slug).first()
    if athlete is None:
        # An address from before a correction of the slug answers with the athlete's feed now.
        if current := athlete_slug_now(delegation, slug):
            return HttpResponsePermanentRedirect(reverse("team:athlete_feed", kwargs={"slug": current}))
        raise Http404(_("No athlete at this address."))
    return AthleteFeed()(request, delegation=delegation, athlete=athlete)
