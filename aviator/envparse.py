"""Parsing the `name=number,...` lists some settings take (COACH_FAULTS, drift thresholds).

No Django imports: the settings module imports this while Django is still starting.
"""

from collections.abc import Collection


def named_numbers(spec: str, *, known: Collection[str], kind: str) -> dict[str, float]:
    """`name=number,...` → {name: number}. ValueError names an unknown name or a bad number, so
    a typo in the environment stops the process at start instead of silently doing nothing."""
    values: dict[str, float] = {}
    for part in filter(None, (chunk.strip() for chunk in spec.split(","))):
        name, _, raw = part.partition("=")
        name = name.strip()
        if name not in known:
            raise ValueError(f"unknown {kind} {name!r}; known: {', '.join(known)}")
        try:
            values[name] = float(raw)
        except ValueError:
            raise ValueError(f"{kind} {name} needs a number, not {raw!r}") from None
    return values
