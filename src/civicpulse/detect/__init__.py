"""Detect: signals per story, topic and unit; burst detectors; hotspot score; explained alerts."""
