"""The status dashboard, composed from every feature's sections, and its cache.
Composition: imports sync, the features, crypto and core.
"""
