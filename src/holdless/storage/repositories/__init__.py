"""SQL implementations of the domain repository protocols; each is bound to one unit of work's connection."""
