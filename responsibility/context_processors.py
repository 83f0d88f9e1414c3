from responsibility.permissions import CampaignAction, campaign_user_can


def navigation(request) -> dict:
    """Which menu entries the signed-in user has (decided by permissions.py, shown by the base template)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_can_view_campaigns": campaign_user_can(user=user, action=CampaignAction.VIEW_PROGRESS),
        "nav_can_manage_templates": campaign_user_can(user=user, action=CampaignAction.MANAGE_TEMPLATES),
        "nav_is_staff": user.is_staff,
    }
