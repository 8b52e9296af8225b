"""Talking to W&B: the official SDK (`wandb.Api`) behind one client that counts its calls.

`config.py` says how to reach the server and how hard to try; `client.py` makes the run
calls and turns the SDK's failures into one-line errors; `projects.py`, `sweeps.py` and
`artifacts.py` read an entity's projects, a project's sweeps and a run's artifacts
through the same client.
"""
