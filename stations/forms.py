from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.forms import PortalForm, date_input, multiple_file_field
from stations.models import SiteConditionLog
from stations.services import CHECK_FIELDS


class SiteLogForm(PortalForm):
    """The conditions checklist of R-SITE-1..4, dated, with photos taken on site."""

    logged_on = forms.DateField(
        label=gettext_lazy("检查日期"), initial=timezone.localdate, widget=date_input()
    )
    notes = forms.CharField(
        label=gettext_lazy("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = multiple_file_field(
        label=gettext_lazy("现场照片"),
        required=False,
        help_text=gettext_lazy("可多选；JPEG、PNG、GIF或WebP图片，每张不超过20MB。"),
        attrs={"accept": "image/*", "capture": "environment"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CHECK_FIELDS:
            field = SiteConditionLog._meta.get_field(name)
            self.fields[name] = forms.BooleanField(label=field.verbose_name, required=False)
        self.order_fields(["logged_on", *CHECK_FIELDS, "photos", "notes"])
