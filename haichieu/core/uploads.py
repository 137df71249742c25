"""The upload's size limit, applied while the request body is read.

Django writes an upload to a temporary file before the view runs; checked only then, a file of
any size would first fill the disk. `LimitedUpload` stops keeping the file at the limit: the rest
of the body is read and thrown away (so the browser gets the page with the message, not a reset
connection), and `too_large` tells the view. A reverse proxy's own limit (nginx
client_max_body_size) is still the first line; this one holds without it.
"""

from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class LimitedUpload(FileUploadHandler):
    def __init__(self, request, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.too_large = False
        self.size = 0  # bytes received (or announced, for a body refused by its length)
        self.refuse = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # A body that announces more than the file may be (plus room for the other fields): its
        # file is refused from the first byte.
        if content_length and content_length > self.max_bytes + 64 * 1024:
            self.refuse = True
            self.size = content_length

    def receive_data_chunk(self, raw_data, start):
        if not self.refuse:
            self.size = start + len(raw_data)
        if self.size > self.max_bytes:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
