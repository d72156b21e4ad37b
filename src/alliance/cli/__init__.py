"""The command-line interface: thin shells over library functions, one module per command."""
