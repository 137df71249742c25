from django.contrib import admin

from .models import Commune, Organization, Province


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Read-only here: the tree is changed through the app's pages, which audit every write."""

    list_display = ["code", "name", "kind", "is_residential", "is_active", "depth"]
    search_fields = ["code", "name"]
    list_filter = ["kind", "is_residential", "is_active"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "division_type"]
    search_fields = ["name", "code"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "division_type", "province"]
    search_fields = ["name", "code"]
    list_filter = ["province"]
