from urllib.parse import urlsplit

from django.conf import settings
from django.shortcuts import render
from django.utils import translation

from pingan.lib.errors import DomainError


class ChosenLanguageMiddleware:
    """Chinese unless the user chose another language with the switcher. Unlike
    Django's LocaleMiddleware, the browser's Accept-Language is not consulted: a
    district's staff share machines whose browsers say all sorts of things."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


def content_security_policy() -> str:
    """No inline or foreign scripts: data that slips into HTML somewhere still cannot
    run. Styles may be inline (Leaflet and the templates set them); images may come
    from the configured tile server."""
    images = ["'self'", "data:", "blob:"]
    for url in {settings.MAP_TILE_URL, settings.MAP_TILE_OVERLAY_URL} - {""}:
        # "{s}" is Leaflet's subdomain placeholder: a.tile…, b.tile…, t0.tianditu…
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc.replace('t{s}.', '*.').replace('{s}', '*')}"
        if host not in images:
            images.append(host)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": " ".join(images),
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


class DomainErrorMiddleware:
    """A page whose request broke a rule (a bad filter, a stale cursor) answers 400
    with the rule's Chinese message instead of a server error. The API has its own
    handler; forms still show their errors beside the fields."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        context = {"message": str(exception)}
        return render(request, "web/invalid.html", context, status=400)
