"""The study report for the steering group and the funder (HTML, Markdown, Word), with accessible SVG charts."""
