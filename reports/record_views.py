"""Service records (R-SVC-1): the cases, groups and community activities a station delivers, with photos."""

from django import forms
from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.models import Role
from core.access import may, role_required, visible_or_404
from core.forms import PortalModelForm, date_input, form_page, multiple_file_field
from core.lists import choice_filter, id_filter, list_page, month_filter, text_filter
from core.workbook import Column
from reports.models import ServiceArea, ServiceKind, ServiceMethod, ServiceRecord
from reports.services import service_record_create
from stations.models import Station


class ServiceRecordForm(PortalModelForm):
    photos = multiple_file_field(
        label=gettext_lazy("照片"),
        required=False,
        help_text=gettext_lazy("JPEG、PNG、GIF或WebP，可多选，每张不超过20MB。"),
        attrs={"accept": "image/*"},
    )

    class Meta:
        model = ServiceRecord
        fields = ["station", "kind", "area", "method", "held_on", "title", "participants", "client_name",
                  "client_id_number", "description"]  # fmt: skip
        widgets = {"held_on": date_input(), "description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "client_name": gettext_lazy("仅个案填写。"),
            "client_id_number": gettext_lazy("仅个案，可不填；页面上只显示前6位和后4位。"),
            "participants": gettext_lazy("个案为服务对象人数，小组和社区活动为参与人次。"),
        }

    def __init__(self, *args, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"] = forms.ModelChoiceField(label=_("社工站"), queryset=stations)
        if len(stations) == 1:  # a queryset: counted once, then the field iterates it
            self.fields["station"].initial = stations.first().pk

    def _post_clean(self):
        """The record is checked and saved by the service, which finds its contract year."""


@require_GET
@role_required(Role.CONTRACTOR, Role.BUREAU, Role.STREET)
def service_record_list(request):
    records = ServiceRecord.objects.visible_to(request.user).select_related("station")

    def export(rows):
        return (
            _("服务记录"),
            [
                Column(_("服务日期"), 12, "date"),
                Column(_("社工站"), 30),
                Column(_("服务主题"), 30),
                Column(_("服务形式"), 10),
                Column(_("服务领域"), 14),
                Column(_("服务方法"), 14),
                Column(_("服务人次"), 10, "int"),
                Column(_("服务对象"), 10),
            ],
            (
                [
                    r.held_on,
                    r.station.name,
                    r.title,
                    r.get_kind_display(),
                    r.get_area_display(),
                    r.get_method_display(),
                    r.participants,
                    r.client_name,
                ]
                for r in rows.order_by("-held_on", "-pk").iterator(2000)
            ),
        )

    return list_page(
        request,
        records.annotate(photo_count=Count("photos")).order_by("-held_on", "-pk"),
        template="reports/service_records.html",
        filters=[
            id_filter("station", "station"),
            choice_filter("kind", "kind", ServiceKind.choices),
            choice_filter("area", "area", ServiceArea.choices),
            month_filter("month", "held_on"),
            text_filter("q", "title__contains"),
        ],
        export=export,
        context={
            "filters": {name: request.GET.get(name, "") for name in ("station", "kind", "area", "month")},
            "stations": Station.objects.visible_to(request.user).order_by("name"),
            "kinds": ServiceKind.choices,
            "areas": ServiceArea.choices,
            "can_create": may(request.user, "create", ServiceRecord),
        },
    )


@role_required(Role.CONTRACTOR)
def service_record_new(request):
    stations = Station.objects.visible_to(request.user).order_by("name")
    form = ServiceRecordForm(
        request.POST or None,
        request.FILES or None,
        stations=stations,
        initial={"held_on": timezone.localdate()},
    )
    return form_page(
        request,
        form,
        lambda data: service_record_create(actor=request.user, **data),
        done=lambda r: (
            _("服务记录“{title}”已保存。").format(title=r.title),
            reverse("service-record-detail", args=[r.pk]),
        ),
        title=_("登记服务记录"),
        intro=_(
            "记录个案、小组和社区活动：服务领域、方法和服务人次（三（二），R-SVC-1）。月度简报的服务数据可按本月记录填入。"
        ),
        submit_label=_("保存"),
        cancel_url=reverse("service-record-list"),
        context={"crumbs": [(_("服务记录"), reverse("service-record-list"))]},
    )


@require_GET
@role_required(Role.CONTRACTOR, Role.BUREAU, Role.STREET)
def service_record_detail(request, pk: int):
    record = visible_or_404(
        ServiceRecord.objects.select_related("station", "contract_year__cycle__contractor"),
        request.user,
        pk=pk,
    )
    return render(
        request,
        "reports/service_record_detail.html",
        {"record": record, "photos": record.photos.all(), "methods": dict(ServiceMethod.choices)},
    )
