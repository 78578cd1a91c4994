"""The one base of the errors a request can cause by breaking a rule. Each domain has
its own subclass (RegionError, EventError, …); the API answers every one of them
with 422 and its Chinese message, registered once."""

from django.core.exceptions import PermissionDenied


class DomainError(ValueError):
    """A rule the request broke; the message is Chinese and safe to show."""


# What a page shows as a message and stays on: a broken rule, or a refusal of
# access (a form that cannot be read is a DomainError too, lib.forms.FormError).
REFUSED = (DomainError, PermissionDenied)
