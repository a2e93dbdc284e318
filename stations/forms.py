from django import forms
from django.utils import timezone

from accounts.forms_util import date_input
from stations.models import SiteConditionLog
from stations.services import CHECK_FIELDS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleImageField, self).clean(f, initial) for f in files]


class SiteLogForm(forms.Form):
    """The conditions checklist of R-SITE-1..4, dated, with photos taken on site."""

    logged_on = forms.DateField(label="检查日期", initial=timezone.localdate, widget=date_input())
    notes = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photos = MultipleImageField(
        label="现场照片", required=False, help_text="可多选；JPEG、PNG、GIF或WebP图片，每张不超过20MB。"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CHECK_FIELDS:
            field = SiteConditionLog._meta.get_field(name)
            self.fields[name] = forms.BooleanField(label=field.verbose_name, required=False)
        self.order_fields(["logged_on", *CHECK_FIELDS, "photos", "notes"])
