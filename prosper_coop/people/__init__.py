"""People, onboarding and consent checklists, sessions, and their status.
A feature: imports tasks, crypto and core.
"""
