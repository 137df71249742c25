"""Import of members from Excel in the browser: upload → preview → confirm (issue 4).

Nothing is written before the confirmation. The uploaded file waits in a private directory
(VAR_DIR/imports/<user id>, mode 0700, files 0600) under a random token kept in the user's session,
with its SHA-256; the confirmation checks the file is still the one previewed, reads it again and
applies it against the database as it is then, in one transaction. A user keeps at most
IMPORT_MAX_PENDING previews (3): a new upload removes the oldest beyond that, whichever session made
it (issue 9, finding 5).
"""

import hashlib
import json
import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from haichieu.access import writable_cells
from haichieu.core.audit import audit_record
from haichieu.core.exports import XLSX_CONTENT_TYPE, content_disposition
from haichieu.core.services import ServiceError
from haichieu.core.uploads import LimitedUpload
from haichieu.jobs import services as jobs

from .imports import (
    TEMPLATE_FILENAME,
    ImportFileError,
    ImportResult,
    check_upload_size,
    error_report,
    limits,
    members_import,
    template_workbook,
)
from .imports.forms import ImportUploadForm
from .jobs import IMPORT_KIND, import_in_background

SESSION_KEY = "member_imports"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")
# Uploaded files not confirmed within this time are deleted (on the next upload).
KEEP_SECONDS = 24 * 3600
# Previews (uploaded file and its reading) one user keeps waiting; a new upload removes the oldest.
DEFAULT_MAX_PENDING = 3
# Error rows listed on the preview page (the error report holds all of them).
PREVIEW_ERRORS = 1000


def _private_dir(directory: Path) -> Path:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    return directory


def _import_dir() -> Path:
    return _private_dir(Path(settings.HAICHIEU.get("IMPORT_DIR") or Path(settings.VAR_DIR) / "imports"))


def _user_dir(user) -> Path:
    """The uploads waiting for one user (whichever session made them)."""
    return _private_dir(_import_dir() / str(int(user.pk)))


def preview_json(result: ImportResult) -> str:
    """What the preview page reads back: the result in its compact stored form."""
    return json.dumps(result.to_store(), ensure_ascii=False, separators=(",", ":"))


def _write_preview(path: Path, result: ImportResult) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as target:
        target.write(preview_json(result))


def _writable_cells(user):
    return writable_cells(user).order_by("code")


def _remove_old_files(directory: Path) -> None:
    """Delete the uploads of every user left waiting longer than KEEP_SECONDS."""
    limit = time.time() - KEEP_SECONDS
    for entry in os.scandir(directory):
        try:
            if entry.is_dir(follow_symlinks=False):
                _remove_old_files(Path(entry.path))
            elif entry.is_file() and entry.stat().st_mtime < limit:
                os.unlink(entry.path)
        except OSError:
            pass


def _keep_newest(request, directory: Path, keep: int) -> None:
    """Remove the user's oldest waiting uploads (file and preview) so that at most `keep` remain."""
    waiting = []
    for path in directory.glob("*.xlsx"):
        try:
            waiting.append((path.stat().st_mtime, path))
        except OSError:
            pass
    waiting.sort(reverse=True)
    for _, path in waiting[max(keep, 0) :]:
        _forget(request, path.stem)


def _max_pending() -> int:
    return settings.HAICHIEU.get("IMPORT_MAX_PENDING", DEFAULT_MAX_PENDING)


def _pending(request, token: str) -> tuple[dict, Path]:
    """The upload `token` of this user's session, or 404."""
    if not TOKEN_RE.match(token):
        raise Http404("Không tìm thấy lần nhập này.")
    meta = request.session.get(SESSION_KEY, {}).get(token)
    if not meta or meta.get("user") != request.user.pk:
        raise Http404("Không tìm thấy lần nhập này.")
    return meta, _user_dir(request.user) / f"{token}.xlsx"


def _forget(request, token: str) -> None:
    pending = request.session.get(SESSION_KEY, {})
    if token in pending:
        pending.pop(token)
        request.session[SESSION_KEY] = pending
    for suffix in (".xlsx", ".json"):
        (_user_dir(request.user) / f"{token}{suffix}").unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _save_upload(upload, path: Path) -> str:
    """Write the upload to `path` (owner-only), stopping at the size limit; return its SHA-256."""
    max_bytes, _ = limits()
    digest = hashlib.sha256()
    written = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as target:
        for chunk in upload.chunks():
            written += len(chunk)
            if written > max_bytes:
                break
            digest.update(chunk)
            target.write(chunk)
    if written > max_bytes:
        path.unlink(missing_ok=True)
        check_upload_size(written)
    return digest.hexdigest()


def _default_cell(request, pk):
    if not pk:
        return None
    return _writable_cells(request.user).filter(pk=pk).first()


@csrf_exempt  # checked by csrf_protect below, once the upload handler is in place
@login_required
def member_import(request):
    # Upload handlers can only change before the body is read, which CSRF checking does.
    limited = LimitedUpload(request, limits()[0])
    request.upload_handlers.insert(0, limited)
    return _member_import(request, limited)


@csrf_protect
def _member_import(request, limited: LimitedUpload):
    cells = _writable_cells(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None, cells=cells)
    if limited.too_large:
        form.is_valid()
        try:
            check_upload_size(limited.size)
        except ImportFileError as exc:
            form.errors["file"] = form.error_class([exc.message])
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        _remove_old_files(_import_dir())
        directory = _user_dir(request.user)
        _keep_newest(request, directory, _max_pending() - 1)
        token = secrets.token_urlsafe(24)
        path = directory / f"{token}.xlsx"
        try:
            check_upload_size(upload.size)
            sha256 = _save_upload(upload, path)
            default_cell = form.cleaned_data.get("default_cell")
            day_month = bool(form.cleaned_data.get("day_month"))
            result = members_import(
                actor=request.user,
                path=path,
                default_cell=default_cell,
                source_name=upload.name,
                day_month=day_month,
            )
        except (ImportFileError, ServiceError) as exc:
            path.unlink(missing_ok=True)
            form.add_error("file", exc.message)
        else:
            if result.file_error:
                path.unlink(missing_ok=True)
                form.add_error("file", result.file_error)
            else:
                _write_preview(directory / f"{token}.json", result)
                pending = request.session.get(SESSION_KEY, {})
                pending[token] = {
                    "user": request.user.pk,
                    "sha256": sha256,
                    "name": upload.name[:200],
                    "default_cell": default_cell.pk if default_cell else None,
                    "day_month": day_month,
                }
                request.session[SESSION_KEY] = pending
                return redirect("members:import_preview", token=token)
    max_bytes, max_rows = limits()
    return render(
        request,
        "members/import.html",
        {"form": form, "max_mb": max_bytes // (1024 * 1024), "max_rows": f"{max_rows:,}".replace(",", ".")},
    )


@login_required
def member_import_template(request):
    data = template_workbook(_writable_cells(request.user))
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(TEMPLATE_FILENAME)
    return response


@login_required
def member_import_preview(request, token):
    """The preview; a POST reads the same upload again with Excel's dates as day/month (the
    preview's warning offers it), nothing written either way."""
    _writable_cells(request.user)
    meta, path = _pending(request, token)
    stored = path.with_suffix(".json")
    if not path.exists() or not stored.exists():
        _forget(request, token)
        raise Http404("Lần nhập này đã hết hạn.")
    if request.method == "POST":
        if _sha256(path) != meta["sha256"]:
            _forget(request, token)
            messages.error(request, "Tệp đã tải lên không còn hoặc đã thay đổi: hãy tải tệp lên lại.")
            return redirect("members:import")
        day_month = request.POST.get("day_month") == "1"
        try:
            result = members_import(
                actor=request.user,
                path=path,
                default_cell=_default_cell(request, meta.get("default_cell")),
                source_name=meta["name"],
                day_month=day_month,
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("members:import_preview", token=token)
        _write_preview(stored, result)
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {**meta, "day_month": day_month}
        request.session[SESSION_KEY] = pending
        return redirect("members:import_preview", token=token)
    result = ImportResult.from_store(json.loads(stored.read_text()))
    return render(
        request,
        "members/import_preview.html",
        {
            "token": token,
            "name": meta["name"],
            "result": result,
            "errors": result.errors[:PREVIEW_ERRORS],
            "more_errors": max(0, len(result.errors) - PREVIEW_ERRORS),
            "skipped_rows": result.skipped_row_groups(),
            "to_apply": result.created + result.updated,
            "background": import_in_background(result.rows),
        },
    )


@login_required
@require_POST
def member_import_confirm(request, token):
    _writable_cells(request.user)
    meta, path = _pending(request, token)
    if not path.exists() or _sha256(path) != meta["sha256"]:
        _forget(request, token)
        messages.error(request, "Tệp đã tải lên không còn hoặc đã thay đổi: hãy tải tệp lên lại.")
        return redirect("members:import")
    skip_invalid = request.POST.get("skip_invalid") == "1"
    stored = path.with_suffix(".json")
    rows = ImportResult.from_store(json.loads(stored.read_text())).rows if stored.exists() else 0
    if import_in_background(rows):
        job = jobs.start(
            owner=request.user,
            kind=IMPORT_KIND,
            title=f"Nhập đảng viên từ tệp “{meta['name']}” ({rows} dòng)",
            params={
                "default_cell": meta.get("default_cell"),
                "skip_invalid": skip_invalid,
                "day_month": bool(meta.get("day_month")),
            },
            input_name=meta["name"],
            input_data=path.read_bytes(),
        )
        _forget(request, token)
        return redirect("jobs:detail", pk=job.pk)
    try:
        result = members_import(
            actor=request.user,
            path=path,
            default_cell=_default_cell(request, meta.get("default_cell")),
            apply=True,
            skip_invalid=skip_invalid,
            source_name=meta["name"],
            day_month=bool(meta.get("day_month")),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("members:import_preview", token=token)
    if not result.applied:
        # What the database holds now may differ from the preview: show the new reading.
        _write_preview(path.with_suffix(".json"), result)
        messages.error(request, result.not_applied_message())
        return redirect("members:import_preview", token=token)
    _forget(request, token)
    messages.success(request, result.summary(meta["name"]))
    return redirect("members:list")


@login_required
def member_import_errors(request, token):
    """The uploaded sheet with a column of error messages (the user's own file, annotated)."""
    _writable_cells(request.user)
    meta, path = _pending(request, token)
    stored = path.with_suffix(".json")
    if not path.exists() or not stored.exists():
        raise Http404("Lần nhập này đã hết hạn.")
    result = ImportResult.from_store(json.loads(stored.read_text()))
    data = error_report(path, result.errors)
    audit_record(
        actor=request.user,
        action="export",
        target_type="members.member",
        target_repr=f"Báo cáo lỗi nhập tệp {meta['name']}"[:255],
    )
    stem = re.sub(r"\.xlsx$", "", meta["name"], flags=re.IGNORECASE)
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(f"{stem}-loi.xlsx")
    return response
