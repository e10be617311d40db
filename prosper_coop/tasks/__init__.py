"""Work packages and tasks, the lowest feature: records, the task index, queries, changes,
CSV import and export, timeline. Imports only crypto and core.
"""
