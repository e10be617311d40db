"""prosper-coop: coordinate co-produced research studies in a git-backed workspace."""

__version__ = "0.1.0"
