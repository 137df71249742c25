"""The rules in force (issue 10): every rule the software applies, its value, its source and whose
rule it is (liaisons/rulebook.py). What an office checks when Regulation 213 is replaced."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from haichieu.access import read_scope_or_404
from haichieu.ratings.selectors import schemes_for_rules_page

from . import rulebook


@login_required
def rules_page(request):
    read_scope_or_404(request.user)
    return render(
        request,
        "liaisons/rules.html",
        {
            "sections": rulebook.rules_in_force(),
            "categories": rulebook.categories_in_force(),
            "events": rulebook.events_in_force(),
            "decisions": rulebook.DECISIONS,
            "documents": rulebook.DOCUMENTS.values(),
            "regulation": rulebook.DOCUMENTS["QD213"],
            "conclusion": rulebook.DOCUMENTS["KL229"],
            "categories_section": rulebook.CATEGORIES,
            "notices_section": rulebook.NOTICES,
            "rating_schemes": schemes_for_rules_page(),
        },
    )
