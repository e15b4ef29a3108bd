"""Signals other apps listen to (sent inside the issuing transaction)."""

from django.dispatch import Signal

# Sent by services.issue_document once a document has its number; kwargs: document, actor.
document_issued = Signal()
