"""The home page's card of data that needs care, and a user's role guides: each one include that
computes what it shows, so the pages that place them need nothing in their views."""

from django import template

from haichieu.access import guide_roles, scope_for

from .. import checks, guides

register = template.Library()


@register.inclusion_tag("care/_home_card.html", takes_context=True)
def care_card(context):
    """The total of every check the user may see (the overview's counts; three queries), for a user
    who reads some organisation's lists; nothing for anyone else."""
    user = context["request"].user
    if not scope_for(user).reads_somewhere:
        return {"shown": False}
    return {"shown": True, "total": sum(checks.counts(user).values())}


@register.inclusion_tag("care/_guides.html", takes_context=True)
def role_guides(context, every: bool = False):
    """Links to the guides of the user's roles (every guide with `every`: the rules page)."""
    keys = list(guides.GUIDES) if every else guide_roles(context["request"].user)
    return {"guides": [(key, guides.GUIDES[key].role) for key in keys], "every": every}
