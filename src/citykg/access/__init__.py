"""Access: principals, tokens, posts and the place scope every query of city data runs under."""

from citykg.access.check import allowed as allowed
from citykg.access.check import ensure_allowed as ensure_allowed
from citykg.access.principals import Post as Post
from citykg.access.principals import Principal as Principal
from citykg.access.principals import PrincipalKind as PrincipalKind
from citykg.access.tokens import authenticate as authenticate
from citykg.access.tokens import issue_token as issue_token
from citykg.access.tokens import principal as principal
from citykg.access.tokens import revoke_tokens as revoke_tokens
from citykg.access.tokens import save_principal as save_principal
