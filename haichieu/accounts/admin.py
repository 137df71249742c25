from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Role, User


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    raw_id_fields = ["organization"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleInline]
    fieldsets = BaseUserAdmin.fieldsets + (("Hai Chiều", {"fields": ("full_name",)}),)
    list_display = ["username", "full_name", "email", "is_active", "is_superuser"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "organization", "start_date", "end_date"]
    list_filter = ["kind"]
    raw_id_fields = ["user", "organization"]
