"""The local stack's default LLM: an OpenAI-compatible endpoint that really reads certificates.

`python -m devstack.llm --port 18002` serves /v1/chat/completions and /v1/models. Text comes from
the document in the request's content parts (reader.py), fields from rules (rules.py), and the
answer takes the shape response_format's JSON schema asks for. Dev tooling: never shipped.
"""
