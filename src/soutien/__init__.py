"""Soutien: a technical-support desk."""

__version__ = "0.1.0"
