"""Pawport's shared package: settings, domain types and adapters every service ships.

Nothing here imports a database driver or the LLM SDK: those belong to the one service allowed them.
"""
