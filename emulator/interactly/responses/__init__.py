"""Pydantic models of what Interactly's routes answer (declared on the routes as
``response_model``; checked under ``--strict``, published in ``/openapi/interactly.json``)."""
