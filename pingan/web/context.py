from django.conf import settings


def site(request):
    return {
        "MAP_TILES": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
    }
