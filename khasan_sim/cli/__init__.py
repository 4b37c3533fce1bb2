"""The command line: thin adapters from arguments to the public API."""
