"""``webknossos.ai_model``: AI models stored on a WEBKNOSSOS datastore."""

from daedalus.core.ai_model import AiModelCategory, RemoteAiModel

__all__ = ["AiModelCategory", "RemoteAiModel"]
