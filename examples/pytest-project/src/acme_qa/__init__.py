""""User code" of the example project: it knows nothing about the emulator."""

from acme_qa.interactly import Conversation, InteractlyChat
from acme_qa.revyl import RevylRunner, run_test_sync

__all__ = ["Conversation", "InteractlyChat", "RevylRunner", "run_test_sync"]
