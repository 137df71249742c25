from django.utils.functional import SimpleLazyObject


def inbox(request):
    """The unread inbox count for the navigation, and the cells' "no longer lives here" reports waiting
    for the user's commune committees, each counted only when a template shows it (one query each)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread():
        from .selectors import inbox_unread_count

        return inbox_unread_count(user)

    def departures():
        from .selectors import departures_pending_count

        return departures_pending_count(user)

    return {"inbox_unread": SimpleLazyObject(unread), "departures_pending": SimpleLazyObject(departures)}
