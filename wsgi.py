"""WSGI entry point for gunicorn: `gunicorn wsgi:app` serves the show in PODCAST_ROOT."""

import os

from podcast.site.app import create_app

app = create_app({"EPISODES_ROOT": os.environ.get("PODCAST_ROOT") or None})
