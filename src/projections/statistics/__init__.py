"""Evaluation statistics: per municipality and month, counts of people and events."""
