"""The error raised for unusable input; the CLI turns it into one line and exit code 2."""

from __future__ import annotations


class InputError(Exception):
    """Input that cannot be used: names the file, line and what to do.

    The message is complete and user-facing; the CLI prints it as `error: <where>: <message>`,
    then each of `details` (one `file:line:column: problem` per line) when there are several.
    """

    def __init__(
        self,
        message: str,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        details: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.file = file
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        return where + self.message
