"""Recruitment and data collection against targets: sites, targets, participants,
surveys and the early warning (imports wellbeing, people, tasks, crypto, trust, core).
"""
