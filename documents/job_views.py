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

ROLES = (Role.BUREAU, Role.MUNICIPAL)


@role_required(*ROLES)
def job_new(request):
    """POST starts (or joins) an export; GET, for a browser without scripts, asks to confirm."""
    kind = request.POST.get("kind") or request.GET.get("kind", "")
    if request.method != "POST":
        kinds = [k for k in ExportJob.Kind.choices if k[0] == kind] or ExportJob.Kind.choices
        return render(request, "documents/job_new.html", {"kinds": kinds})
    if kind not in ExportJob.Kind.values:
        raise Http404(_("没有这类导出。"))
    job, joined = jobs.export_start(user=request.user, kind=kind)
    if joined:
        messages.info(request, _("同样的导出正在生成，已为您打开它的进度。"))
    return redirect("export-job", pk=job.pk)


@require_GET
@role_required(*ROLES)
def job_detail(request, pk: int):
    job = visible_or_404(ExportJob.objects.all(), request.user, pk=pk)
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
        content_type=PDF if job.filename.endswith(".pdf") else XLSX,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@role_required(*ROLES)
def job_retry(request, pk: int):
    job = visible_or_404(ExportJob.objects.all(), request.user, pk=pk)
    again = jobs.export_retry(job=job, user=request.user)
    return redirect("export-job", pk=again.pk)
