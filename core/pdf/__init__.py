"""The PDF engine: fonts, rendering with a locked-down fetcher, the organisation's seal."""
