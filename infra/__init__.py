"""Deployment tooling: base-stack outputs into Chalice stages, IAM policies, packaging checks."""
