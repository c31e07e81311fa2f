"""A mixin for results that turn into tables (private)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .models import Model

if TYPE_CHECKING:
    import pandas

__all__ = ["Table"]


class Table(Model):
    """A result that turns into a table."""

    def rows(self) -> Sequence[Model]:  # pragma: no cover - overridden
        raise NotImplementedError

    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per row (``{ja, en}`` texts become ``*_ja`` / ``*_en`` columns)."""
        out = []
        for row in self.rows():
            flat: dict[str, Any] = {}
            for key, value in row.model_dump(mode="json").items():
                if isinstance(value, dict) and set(value) == {"ja", "en"}:
                    flat[f"{key}_ja"], flat[f"{key}_en"] = value["ja"], value["en"]
                elif isinstance(value, list):
                    flat[key] = " ".join(map(str, value))
                else:
                    flat[key] = value
            out.append(flat)
        return out

    def to_frame(self) -> pandas.DataFrame:
        """The rows as a pandas DataFrame (``pip install "referral[notebooks]"``)."""
        try:
            import pandas as pd  # noqa: PLC0415
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError('to_frame() needs pandas: pip install "referral[notebooks]"') from exc
        return pd.DataFrame.from_records(self.to_records())
