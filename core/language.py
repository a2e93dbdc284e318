"""Chinese first: the portal speaks Simplified Chinese unless the user switched to English (the language cookie set
by the switch in the top bar). The browser's own language preference is not followed."""


class ChineseFirstMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)  # before LocaleMiddleware reads it
        return self.get_response(request)
