from functools import cache

from django.conf import settings

from pingan.lib.fieldcrypt import FieldCipher, derive_lookup_key


@cache
def cipher() -> FieldCipher:
    return FieldCipher(
        settings.FIELD_KEY, settings.LOOKUP_KEY or derive_lookup_key(settings.FIELD_KEY)
    )
