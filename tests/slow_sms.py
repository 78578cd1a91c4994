"""A text-message gateway that takes a second per message, for tests/test_scaleout.py:
slow enough that a worker can be killed while it is sending."""

import time

from pingan.notices.services import ConsoleSender


class SlowSender(ConsoleSender):
    def send(self, phone: str, text: str) -> None:
        time.sleep(1)
        super().send(phone, text)
