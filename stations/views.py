from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from accounts.access import role_required, visible_or_404
from accounts.forms_util import apply_errors
from accounts.models import Role
from stations.forms import SiteLogForm
from stations.models import Station
from stations.services import CHECK_FIELDS, site_log_record


@role_required(Role.STREET, Role.BUREAU)
def site_log_new(request, pk: int):
    """R-SITE-1..4: the street office logs its station's conditions on site, with photos (works on a phone)."""
    station = visible_or_404(Station.objects.select_related("street"), request.user, pk=pk)
    form = SiteLogForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            site_log_record(
                station=station,
                logged_on=form.cleaned_data["logged_on"],
                conditions={name: form.cleaned_data[name] for name in CHECK_FIELDS},
                photos=form.cleaned_data["photos"],
                notes=form.cleaned_data["notes"],
                actor=request.user,
            )
        except (ValidationError, PermissionDenied) as error:
            apply_errors(form, error)
        else:
            messages.success(request, "场所设置检查记录已保存。")
            return redirect("station-detail", pk=station.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "station": station,
            "title": "登记场所设置检查",
            "intro": "按实施方案四（一）至（五）逐项核对：独立办公用房和设施设备、统一标识、服务目录公示、六项管理制度。",
            "submit_label": "保存检查记录",
        },
    )
