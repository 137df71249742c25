"""`nav_active`: the menu item a page belongs to, one definition for both the class `active` and
`aria-current="page"` in base.html (the current item is announced, not only shown in bold)."""


def nav_active(request) -> dict[str, str]:
    match = getattr(request, "resolver_match", None)
    app, name = (match.app_name, match.url_name or "") if match is not None else ("", "")
    if app == "meetings" and name in ("mine", "mine_calendar"):
        item = "mine"
    elif app in (
        "organizations",
        "members",
        "documents",
        "meetings",
        "exemptions",
        "comments",
        "statistics",
        "review",
    ):
        item = app
    elif app == "audit":
        item = "audit" if name in ("log", "export") else ""
    elif app == "liaisons":
        if name in ("inbox", "inbox_read"):
            item = "inbox"
        elif name == "rules":
            item = "rules"
        elif name.startswith("residence_"):
            item = "residence"
        else:
            item = "workplace"
    elif app == "" and name in ("profile", "home"):
        item = name
    else:
        item = ""
    return {"nav_active": item}
