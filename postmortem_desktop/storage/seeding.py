"""Default content of a new workspace: the built-in tags and settings."""
from __future__ import annotations

from sqlalchemy import select

from ..domain.vocabulary import BUILT_IN_TAGS
from .schema import Tag, WorkspaceSetting

DEFAULT_SETTINGS = {"display_timezone": "UTC"}


def seed_new_workspace(workspace) -> None:  # noqa: ANN001 - Workspace, imported lazily
    with workspace.transaction() as session:
        existing = set(session.scalars(select(Tag.name)))
        for position, (name, description) in enumerate(BUILT_IN_TAGS):
            if name not in existing:
                session.add(Tag(name=name, description=description, color=position, position=position,
                                built_in=True))
        for key, value in DEFAULT_SETTINGS.items():
            if session.get(WorkspaceSetting, key) is None:
                session.add(WorkspaceSetting(key=key, value=value))
