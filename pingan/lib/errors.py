"""The one base of the errors a request can cause by breaking a rule. Each domain has
its own subclass (RegionError, EventError, …); the API answers every one of them
with 422 and its Chinese message, registered once."""


class DomainError(ValueError):
    """A rule the request broke; the message is Chinese and safe to show."""
