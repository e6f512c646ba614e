"""`python -m podcast` runs the command-line tool."""

from podcast.cli import main

main()
