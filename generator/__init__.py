"""b24gen: generate a typed Bitrix24 REST client from the documentation."""

__version__ = "0.1.0"
