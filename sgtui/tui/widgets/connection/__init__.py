"""Widgets of the connections feature."""
