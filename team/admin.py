from django.contrib import admin

from team import models


class ReviewFlagInline(admin.TabularInline):
    model = models.ReviewFlag
    extra = 0
    fields = ["note", "resolved_at", "resolved_by", "resolution"]


class EntryInline(admin.TabularInline):
    model = models.Entry
    extra = 0
    autocomplete_fields = ["athlete"]


class RoundInline(admin.TabularInline):
    model = models.Round
    extra = 0


class AthleteNameInline(admin.TabularInline):
    model = models.AthleteName
    extra = 0


@admin.register(models.Athlete)
class AthleteAdmin(admin.ModelAdmin):
    list_display = ["name", "sport", "gender", "status"]
    list_filter = ["status", "gender", "sport"]
    list_select_related = ["sport"]
    search_fields = ["name", "names__name"]
    filter_horizontal = ["sport_classes"]
    inlines = [AthleteNameInline, ReviewFlagInline]


@admin.register(models.Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["__str__", "sport", "gender", "sport_class"]
    list_filter = ["sport", "gender"]
    list_select_related = ["sport", "sport_class"]
    search_fields = ["slug", "discipline"]
    inlines = [EntryInline, RoundInline, ReviewFlagInline]


@admin.register(models.Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = ["__str__", "rank", "mark", "medal", "status", "settled"]
    list_filter = ["medal", "status", "settled"]
    list_select_related = ["entry__athlete", "round__event__sport", "round__event__sport_class"]


@admin.register(models.ReviewFlag)
class ReviewFlagAdmin(admin.ModelAdmin):
    list_display = ["slug", "note", "resolved_at"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["slug", "note"]


for model in (
    models.Source,
    models.Games,
    models.GamesFact,
    models.Sport,
    models.SportClass,
    models.Delegation,
    models.Flagbearer,
    models.MedalRecord,
    models.Entry,
    models.Round,
):
    admin.site.register(model)
