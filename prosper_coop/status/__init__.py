"""The status dashboard, composed from every feature's sections, and its cache
(composition: imports sync, the features, crypto and core).
"""
