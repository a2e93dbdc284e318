"""Export jobs on the page: asking answers at once with the job's page, which follows its progress in place
(htmx polling) and offers the file when it is done; 我的导出 lists a person's jobs."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from core.access import role_required, visible_or_404
from core.exports import PDF, XLSX
from core.signals import announce
from documents import jobs
from documents.models import ExportJob

# Everyone who exports lists has jobs (a list above a size is one); only the bureaus start the district's files here.
ROLES = (Role.BUREAU, Role.MUNICIPAL, Role.STREET, Role.CONTRACTOR, Role.AUDITOR)
STARTERS = (Role.BUREAU, Role.MUNICIPAL)


@role_required(*STARTERS)
def job_new(request):
    """POST starts (or joins) an export; GET, for a browser without scripts or a download too big for the request,
    asks to confirm."""
    kind = request.POST.get("kind") or request.GET.get("kind", "")
    mine = [
        (value, label) for value, label in ExportJob.Kind.choices if request.user.role in jobs.ASKERS[value]
    ]
    mine = [
        choice for choice in mine if choice[0] != ExportJob.Kind.LIST_XLSX
    ]  # lists start from their pages
    if request.method != "POST":
        kinds = [k for k in mine if k[0] == kind] or mine
        return render(
            request, "documents/job_new.html", {"kinds": kinds, "big": request.GET.get("big") == "1"}
        )
    if kind not in dict(mine):
        raise Http404(_("没有这类导出。"))
    job, joined = jobs.export_start(user=request.user, kind=kind)
    if joined:
        messages.info(request, _("同样的导出正在生成，已为您打开它的进度。"))
    return redirect("export-job", pk=job.pk)


@require_GET
@role_required(*ROLES)
def job_detail(request, pk: int):
    job = visible_or_404(ExportJob.objects.all(), request.user, pk=pk)
    jobs.look_after(job)
    context = {"job": job, "seconds_left": jobs.seconds_left(job)}
    if request.htmx:
        return render(request, "documents/job_progress.html", context)
    return render(request, "documents/job_detail.html", context)


@require_GET
@role_required(*ROLES)
def job_list(request):
    mine = ExportJob.objects.visible_to(request.user).order_by("-created_at")[:50]
    from django.conf import settings

    return render(request, "documents/job_list.html", {"jobs": mine, "keep_days": settings.EXPORT_KEEP_DAYS})


@require_GET
@role_required(*ROLES)
def job_download(request, pk: int):
    job = visible_or_404(ExportJob.objects.all(), request.user, pk=pk)
    path = jobs.export_root() / job.file if job.file else None
    if job.status != ExportJob.Status.DONE or path is None or not path.exists():
        raise Http404(_("文件不存在或已过期，请重新导出。"))
    announce("download", request=request, obj=job, summary=job.filename)
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=PDF
        if job.filename.endswith(".pdf")
        else "application/json"
        if job.filename.endswith(".json")
        else XLSX,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@role_required(*ROLES)
def job_retry(request, pk: int):
    job = visible_or_404(ExportJob.objects.all(), request.user, pk=pk)
    again = jobs.export_retry(job=job, user=request.user)
    return redirect("export-job", pk=again.pk)
