"""Changing the world: adding episodes to the folder, building the static site."""
