"""Pure domain objects: no I/O, no framework imports."""
