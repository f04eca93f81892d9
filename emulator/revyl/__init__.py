"""The Revyl API (``https://backend.revyl.ai``): tests, workflows, executions, builds."""
