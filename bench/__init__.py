"""The benchmark (DESIGN.md "How performance is measured"): `python -m bench.run`."""
