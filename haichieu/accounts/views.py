from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from haichieu.access import roles_in_force, scope_for


@login_required
def home(request):
    """The user's roles in force, and the pages of each side they work on."""
    own_member = request.user.member if scope_for(request.user).member_id else None
    return render(request, "home.html", {"roles": roles_in_force(request.user), "own_member": own_member})
