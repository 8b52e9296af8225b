"""The DuckDB warehouse file and what every stage shares about it.

Where it is, how to open it and the raw schema (`database.py`), the load ledger
(`ledger.py`), writing history rows (`history.py`), sweeps (`sweeps.py`), run artifacts
(`artifacts.py`) and entity project listings (`projects.py`), and running dbt on it
(`dbt.py`).
"""
