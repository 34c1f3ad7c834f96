"""The package version, in one module that every floor may import."""

__version__ = "0.1.0"
