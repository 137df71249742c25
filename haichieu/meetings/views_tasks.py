"""Pages of the tasks a residential cell gives its linked members (issue 11). The residence side (the
cell's secretary, the commune committee above it) gives them and records the outcome; the member's
workplace and the member read them. Anything outside the user's scope is 404 on GET and POST."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from haichieu.access import organization_get_for, scope_for, task_get_for
from haichieu.core.forms import add_service_error
from haichieu.core.paging import page_size
from haichieu.core.services import ServiceError

from . import selectors_tasks, services_tasks
from .forms_tasks import OutcomeForm, TaskForm


def _residential_cell(user, pk, *, kind: str = "read"):
    cell = organization_get_for(user, pk=pk, kind=kind)
    if not (cell.is_cell and cell.is_residential):
        raise Http404("Không tìm thấy chi bộ nơi cư trú.")
    return cell


@login_required
def task_list(request, pk):
    """The tasks a residential cell gave its linked members, newest first."""
    cell = _residential_cell(request.user, pk)
    due = request.GET.get("due") == "1"
    page = selectors_tasks.cell_tasks_page(
        request.user,
        cell=cell,
        due_on=timezone.localdate() if due else None,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        size=page_size(request),
    )
    context = {
        "cell": cell,
        "page": page,
        "may_give": scope_for(request.user).may_write(cell),
        "due": due,
        "base_query": "due=1" if due else "",
    }
    return render(request, "meetings/tasks/list.html", context)


@login_required
def task_create(request, pk):
    """Give a linked member a task (from the meeting's page: `?meeting=`, the member's: `?member=`)."""
    cell = _residential_cell(request.user, pk, kind="write")
    today = timezone.localdate()
    initial = {name: request.GET[name] for name in ("member", "meeting") if name in request.GET}
    form = TaskForm(request.POST or None, cell=cell, today=today, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services_tasks.task_give(
                actor=request.user,
                cell=cell,
                member=data["member"],
                kind=data["kind"],
                description=data["description"],
                due_date=data["due_date"],
                meeting=data["meeting"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                f"Đã giao nhiệm vụ cho đồng chí {task.member.full_name}; cấp ủy nơi công tác đã được thông báo.",
            )
            return redirect("meetings:task_detail", pk=task.pk)
    return render(request, "meetings/tasks/form.html", {"cell": cell, "form": form})


def _detail(request, task, form, *, status: int = 200):
    context = {"task": task, "form": form, "may_write": scope_for(request.user).may_write(task.cell)}
    return render(request, "meetings/tasks/detail.html", context, status=status)


@login_required
def task_detail(request, pk):
    """One task: the residence side, the member's workplace and the member read it; the residence
    side records its outcome here."""
    task = task_get_for(request.user, pk)
    form = OutcomeForm(
        initial={"outcome": task.outcome, "outcome_note": task.outcome_note, "version": task.version}
    )
    return _detail(request, task, form)


@require_POST
@login_required
def task_outcome(request, pk):
    task = task_get_for(request.user, pk, write=True)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services_tasks.task_record_outcome(
                actor=request.user,
                task=task,
                version=data["version"] or task.version,
                outcome=data["outcome"],
                note=data["outcome_note"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Đã ghi kết quả thực hiện nhiệm vụ.")
            return redirect("meetings:task_detail", pk=task.pk)
    return _detail(request, task, form)


@login_required
def workplace_tasks(request):
    """The tasks residential cells gave the members of the user's workplace side, wherever they live."""
    page = selectors_tasks.workplace_tasks_page(
        request.user,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        size=page_size(request),
    )
    return render(request, "meetings/tasks/workplace.html", {"page": page})
