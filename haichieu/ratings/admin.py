"""The yearly schemes are data: an administrator corrects a level or adds next year's here."""

from django.contrib import admin

from .models import RatingLevel, RatingScheme


class RatingLevelInline(admin.StackedInline):
    model = RatingLevel
    extra = 0
    fields = ["order", "code", "label", "min_score", "max_score", "conditions", "source"]


@admin.register(RatingScheme)
class RatingSchemeAdmin(admin.ModelAdmin):
    list_display = ["year", "name", "updated_at"]
    fields = ["year", "name", "source"]
    inlines = [RatingLevelInline]
