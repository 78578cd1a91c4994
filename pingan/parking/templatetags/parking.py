from django import template

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Integer fen as yuan: 500 → ¥5.00."""
    return f"¥{(fen or 0) / 100:.2f}"


@register.simple_tag
def pay_grace() -> int:
    """Minutes a paid car may take to leave (PARKING_PAY_GRACE_MINUTES)."""
    from django.conf import settings

    return int(settings.PARKING_PAY_GRACE_MINUTES)
