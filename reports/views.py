from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Role
from stations.models import Station

# Roles that read no case data (separation of duties): their home page shows no stations.
NO_CASE_DATA_ROLES = {Role.ADMIN, Role.AUDITOR}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    stations = None
    if request.user.role not in NO_CASE_DATA_ROLES:
        stations = list(Station.objects.visible_to(request.user).select_related("street")[:50])
    return render(request, "home.html", {"stations": stations})
