"""Wellbeing: check-ins, reflections, wellbeing plans, alerts, the distress protocol and
the identity map, every sensitive record encrypted (imports people, tasks, crypto, core).
"""
