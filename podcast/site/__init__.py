"""The website and feed over HTTP (Flask): the only stage besides publish that imports Flask."""
