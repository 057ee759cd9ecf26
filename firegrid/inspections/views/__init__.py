"""Pages of inspections, the phone form, plans and coverage, campaigns and draws.

Thin views: every object comes through `Model.objects.restrict(user, action)` (404 out of scope),
every change through the functions in actions.py, plan_actions.py, campaign_actions.py and
draw_actions.py, whose ValidationErrors become form errors or messages.
"""
