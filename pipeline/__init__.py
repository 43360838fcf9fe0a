"""Country drug reports → structured, traceable Parquet tables."""

__version__ = "0.1.0"
