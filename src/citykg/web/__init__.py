"""The web console (政务侧) and the resident page (居民侧), rendered by the API's own app.

Pages are not API routes (``include_in_schema=False``), so the route guard skips them: each
page resolves the signed-in principal itself (:mod:`citykg.web.auth`) and calls the same
service functions as the API, which apply the access policy, so scoping and masking are the
API's by construction.
"""

from citykg.web.mount import mount as mount
