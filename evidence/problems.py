"""One located-problem type for every input the tool reads, and the exception that carries them.

Modelled on pandera's ``errors.py``: a problem says *where* (file, row or line, column or field,
item) and *what* (a message for people and a short reason ``code`` for programs and tests), and
one exception, :class:`ProblemError`, carries all the problems found so a user can fix them in
one pass.

Users: :class:`evidence.dataset.DataError` (data files),
:class:`rules.loader.RuleFileError` / :class:`rules.loader.RuleProblem` (rule files), the policy
catalogue's ``CatalogueError`` / ``CatalogueIssue`` and the causal chains' ``CausalChainError`` /
``ChainProblem``, so every screen can show problems the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Problem", "ProblemError"]


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows.

    ``row`` is the 1-based row or line a user would see in a text editor or spreadsheet (header
    = line 1); ``column`` is a column name or a field path; ``item`` names the thing the problem
    belongs to (a rule id, an intervention id). Any of them may be None when unknown.
    """

    file: str | None = None
    row: int | None = None
    column: str | None = None
    item: str | None = None
    message: str
    code: str = "invalid"

    def where(self) -> str:
        """``file F, row R, column 'C'`` (the parts that are known), or an empty string."""
        return ", ".join(
            part
            for part in (
                f"file {self.file}" if self.file else "",
                f"row {self.row}" if self.row is not None else "",
                f"column {self.column!r}" if self.column else "",
                f"item {self.item!r}" if self.item else "",
            )
            if part
        )

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class ProblemError(ValueError):
    """One or more problems; ``str()`` lists them, one per line.

    ``file``, ``row``, ``column`` and ``item`` are those of the first problem, so callers that
    show a single location still point at the first fault.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        if not self.problems:
            raise ValueError("a ProblemError needs at least one problem")
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def first(self) -> Problem:
        return self.problems[0]

    @property
    def file(self) -> str | None:
        return self.first.file

    @property
    def row(self) -> int | None:
        return self.first.row

    @property
    def column(self) -> str | None:
        return self.first.column

    @property
    def item(self) -> str | None:
        return self.first.item

    @property
    def code(self) -> str:
        return self.first.code
