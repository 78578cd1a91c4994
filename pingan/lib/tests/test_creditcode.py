import pytest

from pingan.lib import creditcode


def test_a_published_code_passes_and_a_changed_one_fails():
    # 91350100M000100Y43: the example code of GB 32100 itself.
    assert creditcode.parse(" 91350100m000100y43 ") == "91350100M000100Y43"
    with pytest.raises(creditcode.InvalidCreditCode, match="校验位"):
        creditcode.parse("91350100M000100Y44")
    with pytest.raises(creditcode.InvalidCreditCode, match="18位"):
        creditcode.parse("9135")
    with pytest.raises(creditcode.InvalidCreditCode, match="不允许的字符"):
        creditcode.parse("91350100M000100YO3")
