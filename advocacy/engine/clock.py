"""Reading times given on the command line or in the API: see advocacy.core.clock."""

from __future__ import annotations

from advocacy.core.clock import parse_moment

__all__ = ["parse_moment"]
