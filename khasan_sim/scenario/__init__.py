"""The file boundary: reads YAML, validates it, hands frozen values to the core."""
