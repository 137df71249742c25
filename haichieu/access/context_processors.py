from .scope import scope_for


def navigation(request):
    """Which sides' pages the navigation shows (read with the scope: no query of its own)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    return {
        "nav_workplace": scope.is_superuser or scope.has_workplace_role,
        "nav_residence": scope.is_superuser or scope.has_residence_role,
        # A cell secretary's residence work starts at the cell, a commune committee's at the inbox.
        "nav_residence_cells_only": scope.has_residence_role and not scope.has_residence_committee_role,
        # A secretary of one residential cell goes straight to that cell's page.
        "nav_residence_cell": scope.sole_residence_cell_id,
        # The organisation department's audit log (access.audit_entries_visible_to).
        "nav_audit": scope.manages_somewhere,
        # The province's organisation department: its Word templates (haichieu/documents).
        "nav_templates": scope.manages_a_province,
        # The statistics of the organisations read (haichieu/stats): staff, not a cell's secretary.
        "nav_statistics": scope.manages_somewhere,
        # The rules in force (liaisons/rulebook.py): whoever reads some organisation's lists.
        "nav_rules": scope.reads_somewhere,
        # A member who signs in: who opened their record, their own data.
        "nav_own_record": scope.member_id is not None,
    }
