from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from accounts.access import role_required, visible_or_404
from accounts.forms_util import apply_errors
from accounts.models import Role
from contracts.models import ProjectCycle
from staffing.deadlines import posting_deadline
from staffing.forms import PostingForm
from staffing.models import SocialWorker
from staffing.services import worker_post


@role_required(Role.CONTRACTOR, Role.BUREAU)
def posting_new(request, pk: int):
    """Post a worker of the cycle's contractor to its station; refused past day 15 after signing (R-STAFF-5)."""
    cycle = visible_or_404(
        ProjectCycle.objects.select_related("station__street", "contractor"), request.user, pk=pk
    )
    workers = SocialWorker.objects.filter(contractor=cycle.contractor, left_on__isnull=True).order_by("name")
    if request.user.role == Role.CONTRACTOR:
        workers = workers & SocialWorker.objects.visible_to(request.user)
    form = PostingForm(
        request.POST or None, workers=workers, show_late_reason=request.user.role == Role.BUREAU
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            worker_post(
                cycle=cycle,
                worker=data["worker"],
                start_date=data["start_date"],
                is_full_time=data["is_full_time"],
                has_labour_contract=data["has_labour_contract"],
                late_reason=data.get("late_reason", ""),
                actor=request.user,
            )
        except (ValidationError, PermissionDenied) as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{data['worker'].name}已派驻。")
            return redirect("station-detail", pk=cycle.station_id)
    first = cycle.years.order_by("year_no").first()
    deadline = (
        f"合同于{first.signed_on:%Y-%m-%d}签订，首批社工应于{posting_deadline(first.signed_on):%Y-%m-%d}前到岗。"
        if first
        else ""
    )
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "station": cycle.station,
            "title": f"派驻驻站社工 · {cycle.contractor.name}",
            "intro": f"驻站社工应为签订劳动合同的专职人员（四（二））；承接主体在合同签订15天内派驻社工（六（二））。{deadline}",
            "submit_label": "派驻",
        },
    )
