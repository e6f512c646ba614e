"""Reading the show: YAML, audio, transcripts and the probe cache, into one frozen Catalog."""
