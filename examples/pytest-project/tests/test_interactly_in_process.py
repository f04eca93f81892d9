"""Interactly chat, in-process, with scripted LLM replies."""

from acme_qa import InteractlyChat


def chat_client(emulator) -> InteractlyChat:
    return InteractlyChat(emulator.token, emulator.interactly_base_url,
                          transport=emulator.transport)


async def test_scripted_reply_then_goodbye_ends_the_run(emulator):
    await emulator.script_llm(node="Front", reply="Welcome to Acme! How can I help?")
    async with chat_client(emulator) as interactly:
        workflow_id = await interactly.create_support_bot()
        conversation = await interactly.chat(workflow_id, ["hi", "goodbye"])
    assert conversation.replies[0] == "Welcome to Acme! How can I help?"
    assert conversation.replies[-1] == "Thanks for contacting Acme!"
    assert conversation.status == "completed"


async def test_unscripted_replies_are_seeded_and_never_empty(emulator):
    async with chat_client(emulator) as interactly:
        workflow_id = await interactly.create_support_bot()
        conversation = await interactly.chat(workflow_id, ["where is my order?"])
    assert conversation.status == "waiting_for_user_input"
    assert "where is my order?" in conversation.replies[0]
