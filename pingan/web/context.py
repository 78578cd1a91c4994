from django.conf import settings

from pingan.web.menus import menu


def site(request):
    return {
        "menu": menu(request.user) if hasattr(request, "user") else [],
        "MAP_TILES": {
            "url": settings.MAP_TILE_URL,
            "overlay": settings.MAP_TILE_OVERLAY_URL,
            "subdomains": settings.MAP_TILE_SUBDOMAINS,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    }
