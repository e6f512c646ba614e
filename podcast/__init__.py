"""Off the Charts Publisher: catalog, RSS feed and website of a podcast."""

__version__ = "0.1.0"
