"""Downloads from access logs, counted by the IAB method, with listeners kept private."""
