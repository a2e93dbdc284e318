"""Showing a service's refusal on a form: the rule ID and clause under the field, or on top."""

from django.core.exceptions import PermissionDenied, ValidationError


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
