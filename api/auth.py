"""Who calls the API: a token in `Authorization: Bearer <key>`, its machine account's scope, and its rate."""

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import Role
from api.services import TokenRefused, token_for

READER_ROLES = (Role.BUREAU, Role.MUNICIPAL)


class TokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        keyword, _space, key = header.partition(" ")
        if keyword != self.keyword or not key.strip():
            raise AuthenticationFailed(code="token_invalid")
        try:
            token = token_for(key.strip())
        except TokenRefused as refused:
            raise AuthenticationFailed(code=refused.code) from None
        return token.account, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class IsTokenReader(BasePermission):
    """A token's account reads as a district's bureau or as the municipal bureau: nothing else has a token."""

    def has_permission(self, request, view):
        return bool(request.auth is not None and request.user.role in READER_ROLES)


class TokenRateThrottle(SimpleRateThrottle):
    """Calls per token (settings API_RATE, e.g. "600/min"); over it, 429 with Retry-After."""

    scope = "token"

    def get_rate(self):
        from django.conf import settings

        return settings.API_RATE  # read at each call: one setting, changed without a restart of the class

    def get_cache_key(self, request, view):
        if request.auth is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
