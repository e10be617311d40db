"""Plain-language outputs (the highest feature): findings, recommendations, the involvement
log, templates rendered to Markdown, HTML and Word, and the readability report.
"""
