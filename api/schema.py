"""How the OpenAPI schema describes the token (drf-spectacular's extension point)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "区民政局系统管理员签发的接口令牌：Authorization: Bearer sgz_xxxxxxxx_… "
            "A token issued by the bureau's administrator.",
        }
