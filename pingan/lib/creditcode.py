"""统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


class InvalidCreditCode(ValueError):
    pass


def check_char(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def parse(raw: str) -> str:
    """The code in upper case, or InvalidCreditCode saying what is wrong."""
    code = raw.strip().upper()
    if len(code) != 18:
        raise InvalidCreditCode("统一社会信用代码应为18位")
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        raise InvalidCreditCode(f"统一社会信用代码含有不允许的字符：{''.join(bad)}")
    if check_char(code[:17]) != code[17]:
        raise InvalidCreditCode("统一社会信用代码校验位不正确")
    return code
