"""Synthetic demo data: a district modelled on Qijiang (綦江区, Chongqing), built by `firegrid seed_demo`.

Importing this package does not touch Django, so scripts (README, `make run`) can print the
demo password with `python -c "from firegrid.org.demo import DEMO_PASSWORD; print(DEMO_PASSWORD)"`.
"""

DEMO_PASSWORD = "firegrid-demo-2026"
DISTRICT_CODE = "500110"
DISTRICT_NAME = "綦江区"
SEED = 500110

PERSONAS = (
    "district_admin",
    "detachment_officer",
    "street_officer",
    "grid_worker_a",
    "grid_worker_b",
    "community_member",
    "police_officer",
    "dept_staff",
    "unit_owner",
)
