"""A plate read from a picture, for cameras that send only an image (the setting
PARKING_IMAGE_READER = "agentclpr"): agentclpr (Apache-2.0), its ONNX models
inside its wheel, on the CPU and offline. About 0.1 s a picture on one core; its
accuracy, measured on a labelled set, is in docs/parking.md (bench/plate_reading.py).

What it reads goes through the same rules as a camera's own read: a text that is
not a plate, or a confidence under PARKING_CONFIDENCE, waits for a person."""

from __future__ import annotations

import importlib.util
import logging
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import checks

READERS = ("", "agentclpr")
log = logging.getLogger(__name__)

_lock = threading.Lock()  # one model per process; one picture at a time through it
_model: Any = None


@dataclass(frozen=True)
class Reading:
    text: str
    confidence: int  # 0–100, as cameras report it


def enabled() -> bool:
    return settings.PARKING_IMAGE_READER == "agentclpr"


def check(**kwargs: object) -> list[checks.CheckMessage]:
    """A reader named in the settings must be one there is, and installed."""
    name = settings.PARKING_IMAGE_READER
    if name not in READERS:
        return [
            checks.Error(f"PINGAN_PARKING_IMAGE_READER={name!r}：可用 {READERS}", id="parking.E001")
        ]
    if name and importlib.util.find_spec(name) is None:
        return [
            checks.Error(
                f"{name} 未安装：pip install -e '.[plates]'",
                id="parking.E002",
            )
        ]
    return []


def read_image(data: bytes) -> Reading | None:
    """The most confident plate in the picture; None when there is none, or the
    bytes are not a picture."""
    import cv2
    import numpy as np

    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return None
    try:
        with _lock:
            found = _loaded()(image)
    except Exception:  # noqa: BLE001 — see below
        # The model fails on some pictures (a plate at the edge: an empty crop).
        # The passage must not be lost for it: it is stored unread, for a person.
        log.warning("agentclpr could not read a picture", exc_info=True)
        return None
    best = max(found, key=lambda result: result[1][1], default=None)
    if best is None or not best[1][0]:
        return None
    text, score = best[1]
    return Reading(str(text), max(0, min(round(float(score) * 100), 100)))


def _loaded() -> Any:
    """The model, loaded on first use (a second or so). agentocr turns the root
    logger to DEBUG and gives it a handler of its own when imported; both are put
    back, so the platform's logging stays as configured."""
    global _model
    if _model is None:
        root = logging.getLogger()
        level, handlers = root.level, list(root.handlers)
        try:
            from agentclpr import CLPSystem

            _model = CLPSystem()
        finally:
            root.setLevel(level)
            root.handlers[:] = handlers
    return _model
