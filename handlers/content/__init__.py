"""Knowledge and news: administrators publish items (/post) and the operator registers
feeds; members browse them, say they will attend events, and get a news digest.

The ``ct:`` buttons (``buttons.CONTENT``) arrive on messages of any age: each checks, when
pressed, that the presser is a member and the item still takes the action.
"""

from __future__ import annotations

from bot.core.dispatch import Router
from bot.core.i18n import N_
from handlers.content import browse, posting, subscriptions
from handlers.content.buttons import CONTENT, RSVP

router = Router("content")
router.command("news", N_("News and announcements"))(browse.browse_command("news"))
router.command("policies", N_("Digital policies"))(browse.browse_command("policies"))
router.command("opportunities", N_("Training, scholarships and other opportunities"))(
    browse.browse_command("opportunities")
)
router.command("events", N_("Coming events"))(browse.browse_command("events"))
router.command("subscriptions", N_("Your news digest: what and how often"))(
    subscriptions.subscriptions_command
)
router.command("post", N_("Publish news, a policy or an event (admins only)"), staff="admin")(
    posting.post_command
)
for flow in (browse.content_flow, posting.post_flow, subscriptions.subscriptions_flow):
    router.flow(flow)

CONTENT.on(RSVP, browse.rsvp_pressed)
router.buttons(CONTENT)
