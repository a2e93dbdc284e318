"""The left menu, decided here and not in the templates: which groups and pages each role uses (ui.md's modules:
首页, 社工站, 报告, 人员, 计划, 承接主体, 安全审计, 政策, 系统管理). A template shows `nav.<item>`; it never compares
roles."""

from accounts.models import APPROVER_ROLE, Role
from contracts.models import Contractor
from core.access import may
from core.pages import PAGE_SIZES

STATION_READERS = frozenset({Role.BUREAU, Role.STREET, Role.CONTRACTOR, Role.MUNICIPAL})
BUSINESS_ROLES = tuple(sorted(STATION_READERS))  # the roles that work with stations, for role_required
WORKSPACE = frozenset({Role.BUREAU, Role.STREET, Role.CONTRACTOR})  # reports, service records, people
PLANS = frozenset({Role.BUREAU, Role.MUNICIPAL})


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = user.role
    return {
        "nav": {
            "stations": role in STATION_READERS,
            "workspace": role in WORKSPACE,
            "plans": role in PLANS,
            "contractors": may(user, "create", Contractor),
            "audit": role == Role.AUDITOR,
            "approvals": role in set(APPROVER_ROLE.values()),
            "admin_site": user.may_use_admin_site,
            # A list export above a size becomes a job for every role with lists (documents/job_views.py).
            "exports": role in (Role.BUREAU, Role.MUNICIPAL, Role.STREET, Role.CONTRACTOR, Role.AUDITOR),
        },
        # Every paginated page offers the same sizes (a view may pass its own): never a bare "每页 条".
        "page_sizes": PAGE_SIZES,
    }
