from django.utils.functional import SimpleLazyObject


def navigation(request):
    """The unread inbox count for the navbar, computed only when a template shows it (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread():
        from haichieu.liaisons.selectors import inbox_unread_count

        return inbox_unread_count(user)

    from haichieu.core.access import scope_for

    scope = scope_for(user)
    return {
        "inbox_unread": SimpleLazyObject(unread),
        "nav_workplace": scope.is_superuser or scope.has_workplace_role,
        "nav_residence": scope.is_superuser or scope.has_residence_role,
        # A cell secretary's residence work starts at the cell, a commune committee's at the inbox.
        "nav_residence_cells_only": scope.has_residence_role and not scope.has_residence_committee_role,
    }
