"""Where the migrations written before session 7 find PathField (now in lib)."""

from pingan.lib.fields import PathField, ScanStartsWith

__all__ = ["PathField", "ScanStartsWith"]
