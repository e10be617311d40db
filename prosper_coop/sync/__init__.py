"""Sync with a shared remote: the engine, merge driver, conflicts, renumbering and the
quick no-op check. Sits above the features.
"""
