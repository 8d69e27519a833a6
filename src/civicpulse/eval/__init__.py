"""Evaluation behind `civicpulse eval`: metrics and one runner per task (see EVAL.md)."""
