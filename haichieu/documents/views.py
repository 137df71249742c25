"""The pages of a province's Word templates, for its organisation department (and the superuser).

Every page answers 404 to anyone who does not manage the province (access.province_managed_or_404),
on GET and on POST alike, and for a kind nobody registered.
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from haichieu.access import province_managed_or_404, provinces_managed_by
from haichieu.core.documents import DOCX_CONTENT_TYPE, docx_response
from haichieu.core.exports import attachment_response
from haichieu.core.forms import add_service_error
from haichieu.core.services import ServiceError
from haichieu.core.uploads import LimitedUpload

from . import selectors, services
from .engine import inspect_template, max_bytes, render_content, size_text
from .forms import TemplateUploadForm
from .registry import DocumentKind, get_kind


def _kind_or_404(kind: str) -> DocumentKind:
    found = get_kind(kind)
    if found is None:
        raise Http404("Không có loại văn bản này.")
    return found


def _placeholder_rows(kind: DocumentKind) -> list[tuple[str, str, str, str]]:
    """(name, meaning, what to write in Word, the loop it goes in) for the kind's page."""
    rows = []
    for name, meaning in kind.placeholders.items():
        if "[]" in name:
            items, _, field = name.partition("[]")
            field = field.lstrip(".")
            rows.append(
                (
                    name,
                    meaning,
                    f"{{{{ muc.{field} }}}}" if field else "{{ muc }}",
                    f"{{% for muc in {items} %}}",
                )
            )
        else:
            rows.append((name, meaning, f"{{{{ {name} }}}}", ""))
    return rows


@login_required
@require_GET
def index(request):
    """The provinces whose templates the user manages: straight to the one, a list for several."""
    provinces = list(provinces_managed_by(request.user).order_by("name", "pk"))
    if not provinces:
        raise Http404("Không tìm thấy trang.")
    if len(provinces) == 1:
        return redirect("documents:province", province_pk=provinces[0].pk)
    return render(request, "documents/index.html", {"provinces": provinces})


@login_required
@require_GET
def province(request, province_pk):
    """Every kind of document and the template in force for the province."""
    org = province_managed_or_404(request.user, province_pk)
    return render(
        request,
        "documents/province.html",
        {"province": org, "rows": selectors.kinds_in_force(org)},
    )


def _kind_page(request, org, kind: DocumentKind, form, *, status: int = 200):
    return render(
        request,
        "documents/kind.html",
        {
            "province": org,
            "kind": kind,
            "variant": selectors.variant_in_force(org, kind),
            "history": selectors.template_history(org, kind),
            "placeholders": _placeholder_rows(kind),
            "form": form,
            "max_size": size_text(max_bytes()),
        },
        status=status,
    )


@csrf_exempt  # checked by csrf_protect below, once the upload handler is in place
@login_required
def kind_page(request, province_pk, kind):
    """One kind for one province: the template in force, its placeholders, its history, the upload
    of a variant (POST; with action=preview the upload is filled with the sample and sent back,
    not saved)."""
    # Upload handlers can only change before the body is read, which CSRF checking does.
    limited = LimitedUpload(request, max_bytes())
    request.upload_handlers.insert(0, limited)
    return _kind_page_checked(request, province_pk, kind, limited)


@csrf_protect
def _kind_page_checked(request, province_pk, kind, limited: LimitedUpload):
    org = province_managed_or_404(request.user, province_pk)
    definition = _kind_or_404(kind)
    if request.method != "POST":
        return _kind_page(request, org, definition, TemplateUploadForm())
    form = TemplateUploadForm(request.POST, request.FILES)
    if limited.too_large:
        form.is_valid()
        form.errors["file"] = form.error_class([f"Tệp quá lớn: mẫu văn bản tối đa {size_text(max_bytes())}."])
        return _kind_page(request, org, definition, form)
    if not form.is_valid():
        return _kind_page(request, org, definition, form)
    upload = form.cleaned_data["file"]
    content = upload.read()
    try:
        if request.POST.get("action") == "preview":
            inspect_template(definition, content)
            doc = render_content(content, [definition.sample_context()])
            return docx_response(doc, f"{definition.label} - xem thử.docx")
        services.template_upload(
            actor=request.user, province=org, kind=definition, filename=upload.name, content=content
        )
    except ServiceError as exc:
        add_service_error(form, exc, field="file")
        return _kind_page(request, org, definition, form)
    messages.success(request, f"Đã dùng mẫu “{upload.name}” cho {definition.label} trong {org.name}.")
    return redirect("documents:kind", province_pk=org.pk, kind=definition.kind)


def _default_download(definition: DocumentKind):
    return attachment_response(
        io.BytesIO(definition.default_bytes()),
        filename=f"{definition.label} - mẫu mặc định.docx",
        content_type=DOCX_CONTENT_TYPE,
    )


@login_required
@require_GET
def download_default(request, province_pk, kind):
    """The template that ships with the app: an office starts its own variant from it."""
    province_managed_or_404(request.user, province_pk)
    return _default_download(_kind_or_404(kind))


@login_required
@require_GET
def download_current(request, province_pk, kind):
    """The template in force for the province, as uploaded (the default when it has none)."""
    org = province_managed_or_404(request.user, province_pk)
    definition = _kind_or_404(kind)
    variant = selectors.variant_in_force(org, definition, with_content=True)
    if variant is None:
        return _default_download(definition)
    return attachment_response(
        io.BytesIO(bytes(variant.content)), filename=variant.filename, content_type=DOCX_CONTENT_TYPE
    )


@login_required
@require_GET
def preview(request, province_pk, kind):
    """The template in force filled with the kind's sample data (made-up: no member's record)."""
    org = province_managed_or_404(request.user, province_pk)
    definition = _kind_or_404(kind)
    variant = selectors.variant_in_force(org, definition, with_content=True)
    content = bytes(variant.content) if variant is not None else definition.default_bytes()
    try:
        doc = render_content(content, [definition.sample_context()])
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("documents:kind", province_pk=org.pk, kind=definition.kind)
    return docx_response(doc, f"{definition.label} - xem thử.docx")


@login_required
@require_POST
def revert(request, province_pk, kind):
    """Back to the default template: the province's variant leaves force (kept in the history)."""
    org = province_managed_or_404(request.user, province_pk)
    definition = _kind_or_404(kind)
    try:
        services.template_revert(actor=request.user, province=org, kind=definition)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã dùng lại mẫu mặc định cho {definition.label} trong {org.name}.")
    return redirect("documents:kind", province_pk=org.pk, kind=definition.kind)
