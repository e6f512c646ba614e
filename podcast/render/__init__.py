"""Rendering the catalog: URLs, the feed, notes, chapters, page metadata, search."""
