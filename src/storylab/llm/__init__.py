"""Talking to language-model services (OpenAI-compatible chat completions)."""

from storylab.llm.client import (ChatClient, Completion, EndpointError, RateLimiter, RequestFailed, Usage,
                                 bounded_map)

__all__ = ["ChatClient", "Completion", "EndpointError", "RateLimiter", "RequestFailed", "Usage", "bounded_map"]
