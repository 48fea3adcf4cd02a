"""Importing a Slack workspace export into an incident, in one undoable step.

The person chooses channels: an incident channel's people become one internal conversation (on the
timeline), a support-escalation channel's threads become one internal conversation each (in the
customer record), and bot posts (PagerDuty, Statuspage, deploy bots) in the chosen channels become
system events. Only messages inside the incident's review window are taken unless asked otherwise.
Re-importing adds only what is new: events by time, kind and title; conversations by their Slack id.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..domain.errors import MissingIncident
from ..domain.vocabulary import Channel, Role
from ..importers.events import EventFile
from ..importers.events.slack_export import (
    SlackChannel,
    SlackExport,
    SlackMessage,
    bot_events,
    people_messages,
    read_slack_export,
    threads,
)
from ..importers.records import ParsedMessage
from ..storage.schema import Conversation, Incident
from ..storage.workspace import Workspace
from .commands import Command, CommandGroup, RuleError
from .conversations import AddConversations, NewConversation
from .event_import import EventImportPlan, plan_import


class UnknownChannel(RuleError):
    """A chosen channel the export does not have (the command line's usage error)."""


@dataclass(frozen=True)
class SlackChoice:
    incident_channels: tuple[str, ...] = ()
    escalation_channels: tuple[str, ...] = ()
    whole_history: bool = False  # False: only messages inside the incident's review window
    bot_channels: tuple[str, ...] = ()  # channels whose bot posts only are wanted

    @property
    def channels(self) -> tuple[str, ...]:
        """Every chosen channel (their bot posts become events); none chosen means every channel."""
        return tuple(dict.fromkeys(self.incident_channels + self.escalation_channels + self.bot_channels))


@dataclass
class SlackImportPlan:
    incident_id: int
    file_name: str
    events: EventImportPlan
    conversations: list[NewConversation] = field(default_factory=list)
    conversations_present: int = 0
    outside_window: int = 0
    messages_read: int = 0

    def command(self) -> Command | None:
        parts: list[Command] = [c for c in (self.events.command(),) if c is not None]
        if self.conversations:
            parts.append(AddConversations(self.incident_id, self.conversations, batch_kind="slack",
                                          file_name=self.file_name))
        if not parts:
            return None
        return CommandGroup(f"Import Slack Export {self.file_name}", parts, incident_id=self.incident_id)

    def to_json(self, *, dry_run: bool) -> dict[str, Any]:
        data = self.events.to_json(dry_run=dry_run)
        data.update({"messages_read": self.messages_read, "outside_window": self.outside_window,
                     "conversations": len(self.conversations), "conversations_present": self.conversations_present})
        return data


def plan_slack_import(workspace: Workspace, incident_id: int, export: SlackExport, file_name: str,
                      choice: SlackChoice) -> SlackImportPlan:
    unknown = [c for c in choice.channels if c not in export.channels]
    if unknown:
        raise UnknownChannel(f"The export has no channel {', '.join(unknown)}; it has "
                        f"{', '.join(sorted(export.channels)) or 'none'}.")
    window = _window(workspace, incident_id, choice.whole_history)
    chosen = [export.channels[c] for c in choice.channels] or list(export.channels.values())
    inside = {c.name: _inside(c, window) for c in chosen}
    events = EventFile(source="Slack export bot posts", skipped=list(export.skipped),
                       items_read=sum(len(c.messages) for c in chosen))
    for channel in chosen:
        events.events += bot_events(SlackChannel(channel.id, channel.name, inside[channel.name]))
    # the messages were already cut to the review window (or the whole history was asked for)
    plan = SlackImportPlan(incident_id, file_name, plan_import(workspace, incident_id, events.sort(), file_name,
                                                               include_outside_window=True),
                           messages_read=events.items_read,
                           outside_window=sum(len(c.messages) - len(inside[c.name]) for c in chosen))
    present = _external_ids(workspace, incident_id)
    for name in choice.incident_channels:
        channel = SlackChannel(export.channels[name].id, name, inside[name])
        _add(plan, present, f"slack:{name}", f"#{name} (incident channel)", people_messages(channel), file_name)
    for name in choice.escalation_channels:
        channel = SlackChannel(export.channels[name].id, name, inside[name])
        for ts, messages in threads(channel).items():
            _add(plan, present, f"slack:{name}:{ts}", "", messages, file_name)
    return plan


def _add(plan: SlackImportPlan, present: set[str], external_id: str, subject: str,
         messages: list[SlackMessage], file_name: str) -> None:
    if not messages:
        return
    if external_id in present:
        plan.conversations_present += 1
        return
    parsed = [ParsedMessage(author=m.author, text=m.text + (" (edited)" if m.edited else ""), at=m.at,
                            role=Role.INTERNAL.value, external_id=m.ts) for m in messages]
    plan.conversations.append(NewConversation(channel=Channel.INTERNAL.value, messages=parsed, subject=subject,
                                              external_id=external_id, source_format="slack",
                                              source_name=file_name))


def _window(workspace: Workspace, incident_id: int, whole_history: bool) -> tuple[datetime, datetime] | None:
    with workspace.reading() as session:
        inc = session.get(Incident, incident_id)
        if inc is None:
            raise MissingIncident(incident_id)
        if whole_history or inc.review_start is None or inc.review_end is None:
            return None
        return inc.review_start, inc.review_end


def _inside(channel: SlackChannel, window: tuple[datetime, datetime] | None) -> list[SlackMessage]:
    if window is None:
        return list(channel.messages)
    return [m for m in channel.messages if window[0] <= m.at <= window[1]]


def _external_ids(workspace: Workspace, incident_id: int) -> set[str]:
    with workspace.reading() as session:
        return set(session.scalars(select(Conversation.external_id).where(
            Conversation.incident_id == incident_id, Conversation.external_id.like("slack:%"))))


def plan_slack_file(workspace: Workspace, incident_id: int, path: Path | str, choice: SlackChoice
                    ) -> SlackImportPlan:
    return plan_slack_import(workspace, incident_id, read_slack_export(path), Path(path).name, choice)
