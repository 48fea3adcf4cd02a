"""`postmortem conversations`: an incident's conversations and their messages, to check an import by."""
from __future__ import annotations

import argparse

from ..services.conversation_list import list_conversations
from . import add_incident_argument, print_json
from .workspace_commands import opened


def register(sub: argparse._SubParsersAction) -> None:
    conversations = sub.add_parser("conversations", help="list an incident's conversations with their messages")
    conversations.add_argument("workspace")
    add_incident_argument(conversations)
    conversations.add_argument("--json", action="store_true",
                               help="print JSON: each conversation (external_id: its ticket id) with its "
                                    "messages (external_id: the message's own id in the imported file, a message "
                                    "dump's message id or a reply chain's id, null when the file gave it none; "
                                    "conversation_external_id, channel, at, author, role, text)")
    conversations.set_defaults(handler=_conversations)


def _conversations(args: argparse.Namespace) -> int:
    with opened(args.workspace, read_only=True) as ws:
        conversations = list(list_conversations(ws, args.incident))
    if args.json:
        print_json(conversations)
        return 0
    print(f"{len(conversations)} conversations, {sum(len(c['messages']) for c in conversations)} messages")
    for conversation in conversations:
        print(f"{conversation['external_id'] or '—'} ({conversation['channel']}) {conversation['subject']}".rstrip())
        for message in conversation["messages"]:
            text = " ".join(message["text"].split())
            print(f"  [{message['at'] or '—'}] {message['author'] or '?'} ({message['role']}): "
                  f"{text[:117] + '…' if len(text) > 120 else text}")
    return 0
