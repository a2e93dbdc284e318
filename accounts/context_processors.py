"""Template context every page of the portal needs: the signed-in user's unit for the top bar."""

from accounts.models import Role


def portal(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"portal_unit": unit_name(user)}


def unit_name(user) -> str:
    """The unit a user works for, as the top bar shows it (东丽区民政局, ××街道办事处, the organisation)."""
    match user.role:
        case Role.BUREAU:
            district = user.bureau_districts.first()
            return district.bureau_name if district else str(Role.BUREAU.label)
        case Role.STREET:
            street = user.street_offices.first()
            return street.office_name if street else str(Role.STREET.label)
        case Role.CONTRACTOR:
            membership = user.contractor_memberships.select_related("contractor").first()
            return membership.contractor.name if membership else str(Role.CONTRACTOR.label)
        case _:
            return str(Role(user.role).label) if user.role in Role.values else ""
