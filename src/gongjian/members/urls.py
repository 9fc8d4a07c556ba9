"""/ledgers/: the member ledgers' pages (urls_pages.py) and Excel in and out (urls_io.py)."""

from .urls_io import urlpatterns as io_patterns
from .urls_pages import urlpatterns as page_patterns

app_name = "members"
urlpatterns = page_patterns + io_patterns
