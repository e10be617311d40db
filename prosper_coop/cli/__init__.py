"""The command line (Typer): one module per noun, parsing options, calling one domain
function and printing what comes back. The top layer: imports every layer below.
"""
