"""System-event sources (status pages, paging, alerting, deploys, logs): one reader module per family,
recognised from content by detect.py."""
from .base import EventFile, EventFileError, SourceEvent
from .detect import SOURCE_NAMES, read_event_file, read_event_text

__all__ = ["EventFile", "EventFileError", "SourceEvent", "SOURCE_NAMES", "read_event_file", "read_event_text"]
