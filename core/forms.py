"""Showing a service's refusal on a form: the rule ID and clause under the field, or on top."""

import re

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def apply_errors(form, error: ValidationError | PermissionDenied) -> None:
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error))
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def date_input():
    """A browser date picker; its value must be ISO (yyyy-MM-dd) whatever the language."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def multiple_file_field(**kwargs):
    """A file field that takes several files at once and cleans to a list (empty when none)."""

    class MultipleFileInput(forms.ClearableFileInput):
        allow_multiple_selected = True

    class MultipleFileField(forms.FileField):
        def clean(self, data, initial=None):
            files = data if isinstance(data, list | tuple) else ([data] if data else [])
            return [super().clean(f, initial) for f in files]

    attrs = kwargs.pop("attrs", {})
    return MultipleFileField(widget=MultipleFileInput(attrs=attrs), **kwargs)


def refusal_text(error: ValidationError | PermissionDenied) -> str:
    """A service's refusal as one message (its rule and clause included)."""
    if isinstance(error, PermissionDenied):
        return str(error)
    return "；".join(error.messages)


def post_action(request, perform, *, done, back: str):
    """The one shape of a button that posts (sign, submit, verify, renew a link): `perform()` calls a service; its
    refusal becomes an error message citing the rule, success the message `done(result)`; both return to `back`."""
    from django.contrib import messages
    from django.shortcuts import redirect

    try:
        result = perform()
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, done(result))
    return redirect(back)


def form_page(
    request,
    form,
    perform,
    *,
    done,
    title: str,
    intro: str = "",
    submit_label: str = gettext_lazy("保存"),
    station=None,
    cancel_url: str = "",
    template: str = "form_page.html",
    context: dict | None = None,
):
    """The one shape of a workflow page. A valid POST calls `perform(cleaned_data)` (a service); a refusal lands
    on the form with its rule and clause, success redirects to `done(result)` = (message, url) with the message."""
    from django.contrib import messages
    from django.shortcuts import redirect, render

    from core.views import restore_typed

    if restore_typed(request, form):
        messages.info(request, _("已填回您上次未能提交的内容，请核对后再提交。"))
    if request.method == "POST" and form.is_valid():
        try:
            result = perform(form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            apply_errors(form, error)
        else:
            message, url = done(result)
            messages.success(request, message)
            return redirect(url)
    return render(
        request,
        template,
        {
            "form": form,
            "title": title,
            "intro": intro,
            "submit_label": submit_label,
            "station": station,
            "cancel_url": cancel_url,
            **(context or {}),
        },
    )


# --- Every form's values bounded --------------------------------------------------------------------------------

INT_MIN, INT_MAX = (
    -(2**31),
    2**31 - 1,
)  # PostgreSQL's integer; a bigger number would fail in the database (a 500)
DATE_MIN_YEAR, DATE_MAX_YEAR = 1900, 2100  # deadline arithmetic on year 9999 overflows
ASCII_DIGITS = frozenset("0123456789")


def _non_ascii_digit(value) -> bool:
    values = value if isinstance(value, list | tuple) else [value]
    return any(isinstance(v, str) and any(c.isdigit() and c not in ASCII_DIGITS for c in v) for v in values)


def _bad_choice_id(value) -> bool:
    """A record id the database cannot hold (a 30-digit number overflows before Django can say "not a choice")."""
    values = value if isinstance(value, list | tuple) else [value]
    return any(
        isinstance(v, str) and v.strip() and set(v.strip()) <= ASCII_DIGITS and int(v.strip()) > 2**63 - 1
        for v in values
    )


_YEAR = re.compile(r"^\s*([0-9]{1,6})-")


def _year_out_of_range(value) -> bool:
    """A date or date-time typed with a year outside 1900-2100 (a year-1 time moved to UTC overflows)."""
    values = value if isinstance(value, list | tuple) else [value]
    for v in values:
        match = _YEAR.match(v) if isinstance(v, str) else None
        if match and not DATE_MIN_YEAR <= int(match[1]) <= DATE_MAX_YEAR:
            return True
    return False


class BoundedFieldsMixin:
    """What every form of the portal checks before its own rules, so that no value reaches the database or the
    date arithmetic out of range: whole numbers within the database's integer, dates between 1900 and 2100, numbers
    and dates typed with ASCII digits (a superscript ² or an Arabic-Indic ٣ is refused, not read as 2 or 3), text
    without NUL characters (Django's CharField already refuses them)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        for field in self.fields.values():
            if isinstance(field, forms.IntegerField) and not isinstance(
                field, forms.DecimalField | forms.FloatField
            ):
                if field.max_value is None or field.max_value > INT_MAX:
                    field.max_value = INT_MAX
                    field.validators.append(MaxValueValidator(INT_MAX))
                    field.widget.attrs.setdefault("max", INT_MAX)
                if field.min_value is None or field.min_value < INT_MIN:
                    field.min_value = INT_MIN
                    field.validators.append(MinValueValidator(INT_MIN))

    def _clean_fields(self):
        refused = {}
        for name, bf in self._bound_items():
            field = bf.field
            numeric = isinstance(
                field,
                forms.IntegerField
                | forms.DecimalField
                | forms.FloatField
                | forms.DateField
                | forms.DateTimeField
                | forms.SplitDateTimeField,
            )
            if numeric and _non_ascii_digit(bf.data):
                refused[name] = _("请使用半角数字（0-9）填写。")
            elif isinstance(field, forms.DateField | forms.DateTimeField | forms.SplitDateTimeField) and (
                _year_out_of_range(bf.data)
            ):
                refused[name] = _("日期应在{min}年至{max}年之间。").format(
                    min=DATE_MIN_YEAR, max=DATE_MAX_YEAR
                )
            elif isinstance(field, forms.ModelChoiceField) and (
                _bad_choice_id(bf.data) or _non_ascii_digit(bf.data)
            ):
                refused[name] = _("选择的项目无效。")
        # A refused value is not handed to its field at all (the field's own parsing is what would fail): a plain
        # text field stands in while the others are cleaned, and the form keeps its own field for showing.
        originals = {name: self.fields[name] for name in refused}
        for name in refused:
            self.fields[name] = forms.CharField(required=False)
            self._bound_fields_cache.pop(name, None)
        try:
            super()._clean_fields()
        finally:
            self.fields.update(originals)
            for name in refused:
                self._bound_fields_cache.pop(name, None)
        for name, message in refused.items():
            self.cleaned_data.pop(name, None)
            self.add_error(name, message)
        for name, value in list(self.cleaned_data.items()):
            field = self.fields.get(name)
            if (
                isinstance(field, forms.DateField)
                and value
                and not (DATE_MIN_YEAR <= value.year <= DATE_MAX_YEAR)
            ):
                self.add_error(
                    name,
                    _("日期应在{min}年至{max}年之间。").format(min=DATE_MIN_YEAR, max=DATE_MAX_YEAR),
                )


class PortalForm(BoundedFieldsMixin, forms.Form):
    """The base of every form of the portal (see BoundedFieldsMixin)."""


class PortalModelForm(BoundedFieldsMixin, forms.ModelForm):
    """The base of every model form of the portal and of the admin (see BoundedFieldsMixin)."""
