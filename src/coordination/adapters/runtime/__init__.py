"""The process: structured logs, and the collector's settings for long-running work."""
