"""The bundled sample: its committed `.jsonl.gz` files, their load order (`files.py`), and
the deterministic generators that made them (`generate_runs.py`, `generate_history.py`).
"""
