"""An incident's conversations with their messages, as plain data a script can check an import by."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from ..domain.errors import MissingIncident
from ..storage.schema import Conversation, Customer, Incident, Message, MessageExternalId
from ..storage.workspace import Workspace


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def list_conversations(workspace: Workspace, incident_id: int) -> Iterator[dict[str, Any]]:
    """Each conversation of the incident, in time order, with its messages in their order.

    Each message carries its own ``external_id``: its id in the file it came from (a message
    dump's message id, a reply chain's id), or None when the source gave it none (a ticket's
    description, a pasted chat, messages imported before format 5); ``conversation_external_id``
    and ``channel`` say which ticket it came from, so a script can flatten the list. Raises MissingIncident.
    """
    with workspace.reading() as session:
        if session.get(Incident, incident_id) is None:
            raise MissingIncident(incident_id)
        conversations = session.execute(
            select(Conversation.id, Conversation.external_id, Conversation.channel, Conversation.subject,
                   Conversation.status, Conversation.first_at, Conversation.last_at, Customer.name, Customer.email)
            .outerjoin(Customer, Customer.id == Conversation.customer_id)
            .where(Conversation.incident_id == incident_id)
            .order_by(Conversation.first_at, Conversation.id)).all()
        messages: dict[int, list[dict[str, Any]]] = {}
        for cid, own_id, at, author, role, text in session.execute(
                select(Message.conversation_id, MessageExternalId.external_id, Message.at, Message.author,
                       Message.role, Message.text)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .outerjoin(MessageExternalId, MessageExternalId.message_id == Message.id)
                .where(Conversation.incident_id == incident_id)
                .order_by(Message.conversation_id, Message.position, Message.id)):
            messages.setdefault(cid, []).append({"external_id": own_id, "at": _time(at), "author": author,
                                                 "role": role, "text": text})
    for cid, external_id, channel, subject, status, first_at, last_at, name, email in conversations:
        yield {"external_id": external_id, "channel": channel, "subject": subject, "status": status,
               "customer": name or email or None, "first_at": _time(first_at), "last_at": _time(last_at),
               "messages": [{"conversation_external_id": external_id, "channel": channel, **message}
                            for message in messages.get(cid, [])]}
