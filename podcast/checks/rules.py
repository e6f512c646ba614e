"""The pre-publish gate's entry; its rules sit in text.py until they are split by subject."""

from podcast.checks.text import (
    ARTWORK_MAX,
    ARTWORK_MIN,
    RULES,
    TITLE_FROM_FILE_NAME,
    run,
    sort_key,
)

__all__ = ["ARTWORK_MAX", "ARTWORK_MIN", "RULES", "TITLE_FROM_FILE_NAME", "run", "sort_key"]
