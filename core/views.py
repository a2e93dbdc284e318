from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: answers 200 when the app can reach its database, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "not healthy"
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


# --- A form that failed the CSRF check keeps what was typed ----------------------------------------------------
PENDING_FORM = "portal_pending_form"
NOT_KEPT = ("csrfmiddlewaretoken", "password", "token", "otp", "version")


def keep_typed(request: HttpRequest) -> dict:
    """The typed fields of a refused POST (no secrets, no files), kept in the session for the same page."""
    data = {
        name: values if len(values) > 1 else values[0]
        for name, values in request.POST.lists()
        if not any(secret in name.lower() for secret in NOT_KEPT)
    }
    if data:
        request.session[PENDING_FORM] = {"path": request.path, "data": data}
    return data


def restore_typed(request: HttpRequest, form) -> bool:
    """Put back what was typed on this page before a CSRF failure (once): True when something was restored."""
    pending = request.session.get(PENDING_FORM)
    if request.method != "GET" or not pending or pending.get("path") != request.path:
        return False
    del request.session[PENDING_FORM]
    form.initial.update({name: value for name, value in pending["data"].items() if name in form.fields})
    return True


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = ""):
    """Django's CSRF failure view, in the portal's frame: the page had expired (a login in another tab rotates the
    token, or the session ended). What was typed is kept; the user goes back to the form, logging in first if
    needed, and finds it filled in again."""
    from django.shortcuts import render
    from django.utils.http import url_has_allowed_host_and_scheme, urlencode

    kept = keep_typed(request) if request.path != "/accounts/login/" else {}
    back = request.path if url_has_allowed_host_and_scheme(request.path, allowed_hosts=None) else "/"
    signed_in = request.user.is_authenticated
    return render(
        request,
        "csrf_failure.html",
        {
            "base_template": "base.html" if signed_in else "plain.html",
            "kept": bool(kept),
            "signed_in": signed_in,
            "back": back if signed_in else f"/accounts/login/?{urlencode({'next': back})}",
        },
        status=403,
    )
