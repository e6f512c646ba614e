"""The one fixed "now" of the tests, so no test depends on the calendar."""

from __future__ import annotations

from datetime import UTC, datetime

# After every episode the shipped show and the scratch shows publish.
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
