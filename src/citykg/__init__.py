"""citykg: a city knowledge graph with configurable governance applications on top."""

__version__ = "0.1.0"
