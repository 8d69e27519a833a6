"""Detect: signals per story, topic and unit; burst detectors; the hotspot score; alerts that explain themselves."""
