"""Stand-in for the generated `_version.py`, which carries the b24gen version that made
the package; this copy is never shipped."""

VERSION = "0+source"
