"""Executing, rendering and publishing reports, and where they come from."""
