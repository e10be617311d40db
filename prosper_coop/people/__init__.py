"""People, onboarding and consent checklists, sessions, and their status (a feature:
imports tasks, crypto and core).
"""
