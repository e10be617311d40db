"""Plain-language outputs: templates rendered to Markdown, HTML and Word, and readability.

- :mod:`.markdown`: the Markdown subset templates are written in, and HTML from it
- :mod:`.docx_writer`: Word documents from the same blocks
- :mod:`.credit`: the team as each person chose to be credited
- :mod:`.context`: the data a template can use
- :mod:`.render`: the sandboxed Jinja2 rendering, the render record and ``--again``
- :mod:`.readability`: Flesch, Flesch-Kincaid, ARI, jargon and abbreviations, offline
"""
