"""Talking to W&B: the official SDK (`wandb.Api`) behind one client that counts its calls."""
