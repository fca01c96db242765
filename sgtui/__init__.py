"""sgtui: export customer segments into SendGrid contact lists from a terminal."""

__version__ = "0.1.0"
