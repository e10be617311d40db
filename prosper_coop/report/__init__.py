"""The study report for the steering group and the funder: web page, Markdown, Word."""
