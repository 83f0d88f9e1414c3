"""An uploaded file is never spooled past the largest file the site accepts.

Django hands each uploaded file's bytes to its upload handlers, the last of which keeps them (in memory,
or in a temporary file on disk). `FileSizeLimitUploadHandler` stands first: once a file passes
`settings.UPLOAD_FILE_MAX_BYTES` it keeps one byte more than the limit and lets the rest of that file go,
so a 200 MB file costs 20 MB of disk at most, and the form that receives it still sees a file too large
and says so (the evidence rules, the verification form, the workbook import check its size). The request
body as a whole is bounded before (config.middleware.RequestBodyLimitMiddleware).
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler


class FileSizeLimitUploadHandler(FileUploadHandler):
    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        """Pass on what is within the limit (and one byte over, so the form sees the file too large)."""
        keep = settings.UPLOAD_FILE_MAX_BYTES + 1 - start
        if keep <= 0:
            return None  # the handlers after this one never see it
        return raw_data[:keep]

    def file_complete(self, file_size: int):
        return None  # the handler that kept the bytes makes the file
