"""Commands of the outcomes core."""
