"""Workflow graphs that more than one test module drives, kept in one place."""

# A chat that waits for the user while a companion thread polls in the background (a tool
# node retried every 2 s); an edge evaluated while waiting delivers once the poller has run
# twice.
BACKGROUND_NODES = [
    {"type": "no_op", "logical_id": "node_entry", "name": "Entry", "is_start": True},
    {"type": "tool_node", "logical_id": "node_poller", "name": "Poller",
     "result_runtime_variable_name": "attempts",
     "tool_config": {"type": "inline_python", "name": "poll", "code": "def poll(): ..."},
     "self_loop_config": {"enabled": True, "max_retries": 8, "time_between_retries": 2}},
    {"type": "say_llm", "logical_id": "node_chat", "name": "Chat"},
    {"type": "say_static", "logical_id": "node_deliver", "name": "Deliver",
     "static_messages_config": {"static_messages": ["landed"]}}]
BACKGROUND_EDGES = [
    {"type": "direct", "source_node_logical_id": "node_entry",
     "destination_node_logical_id": "node_chat"},
    {"type": "direct", "source_node_logical_id": "node_entry",
     "destination_node_logical_id": "node_poller",
     "companion_thread_config": {"is_companion_thread": True, "thread_id": "bg"}},
    {"type": "conditional", "source_node_logical_id": "node_poller",
     "destination_node_logical_id": "node_entry",
     "condition": {"condition_expression": "[[attempts]] == -1"}},
    {"type": "conditional", "logical_id": "edge_wake", "source_node_logical_id": "node_chat",
     "destination_node_logical_id": "node_deliver",
     "condition": {"condition_expression": "[[thread_bg.attempts]] >= 2"},
     "evaluate_while_waiting_config": {"enabled": True,
                                       "trigger_node_logical_ids": ["node_poller"]}}]
