"""Refusals the services raise when a request is understood but not allowed now (a claimed
escalation, an approval already decided). Pages show `message`; the API answers `status` with
`code` and `message` in the usual error shape, with `Retry-After` when `retry_after` (seconds)
says when trying again may succeed."""


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.retry_after = retry_after
