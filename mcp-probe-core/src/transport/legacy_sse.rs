//! Legacy HTTP+SSE transport (2024-11-05).
