"""Showing a service's refusal on a form: the rule ID and clause under the field, or on top."""

from django.core.exceptions import PermissionDenied, ValidationError
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
    from django import forms

    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def multiple_file_field(**kwargs):
    """A file field that takes several files at once and cleans to a list (empty when none)."""
    from django import forms

    class MultipleFileInput(forms.ClearableFileInput):
        allow_multiple_selected = True

    class MultipleFileField(forms.FileField):
        def clean(self, data, initial=None):
            files = data if isinstance(data, list | tuple) else ([data] if data else [])
            return [super().clean(f, initial) for f in files]

    attrs = kwargs.pop("attrs", {})
    return MultipleFileField(widget=MultipleFileInput(attrs=attrs), **kwargs)


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
