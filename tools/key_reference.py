#!/usr/bin/env python3
"""Write the key reference of docs/producers.md from podcast/read/schema.py.

    .venv/bin/python tools/key_reference.py

tests/read/test_schema.py fails until the docs match the table, so run this after adding or
changing a key.
"""

from __future__ import annotations

from pathlib import Path

from podcast.read.schema import reference

DOCS = Path(__file__).resolve().parent.parent / "docs" / "producers.md"
BEGIN, END = "<!-- keys: begin (tools/key_reference.py writes this) -->", "<!-- keys: end -->"


def main() -> None:
    text = DOCS.read_text("utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOCS.write_text(f"{head}{BEGIN}\n{reference()}{END}{tail}", "utf-8")


if __name__ == "__main__":
    main()
