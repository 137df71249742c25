"""The comment forms are data an administrator keeps in the Django admin: next year's form (its
criteria, their order and three levels) is added here when the regulation changes them."""

from django.contrib import admin

from .models import CommentForm, Criterion


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["position", "key", "label", "level_1", "level_2", "level_3"]


@admin.register(CommentForm)
class CommentFormAdmin(admin.ModelAdmin):
    list_display = ["year", "code", "title", "audience"]
    list_filter = ["audience", "year"]
    inlines = [CriterionInline]
    save_as = True  # "Lưu thành mẫu mới": next year's form from this year's
