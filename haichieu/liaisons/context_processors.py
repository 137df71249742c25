from django.utils.functional import SimpleLazyObject


def inbox(request):
    """The unread inbox count for the navigation, counted only when a template shows it (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread():
        from .selectors import inbox_unread_count

        return inbox_unread_count(user)

    return {"inbox_unread": SimpleLazyObject(unread)}
