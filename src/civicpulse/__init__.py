"""civicpulse: open civic listening and rapid response."""

__version__ = "0.1.0"
