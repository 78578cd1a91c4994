"""What 阳光政务's public form posts besides its files (which the services check)."""

from __future__ import annotations

from pingan.lib.forms import Form, text


class ApplyForm(Form):
    name = text()
    phone = text()
    id_number = text()
    details = text()
    held = text()  # the token of files kept from a refused attempt (counter.held)
