"""Demo data for zw: `python -m demo --help`."""
