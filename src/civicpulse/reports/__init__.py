"""Briefings: the daily picture for the city and for each unit, as HTML and PDF."""
