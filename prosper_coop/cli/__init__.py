"""The command line: a thin layer over the domain modules, one module per noun."""
