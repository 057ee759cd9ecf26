def test_admin_pages_render_for_superuser(world, client):
    world.district_admin.is_staff = world.district_admin.is_superuser = True
    world.district_admin.save()
    client.force_login(world.district_admin)
    for url in ["/admin/", "/admin/org/region/", "/admin/org/orgunit/", "/admin/org/user/",
                f"/admin/org/user/{world.grid_worker_a.pk}/change/", "/admin/core/auditevent/",
                f"/admin/org/orgunit/{world.station.pk}/change/"]:
        assert client.get(url).status_code == 200, url


def test_staff_without_superuser_sees_only_scope_in_admin(world, client):
    from django.contrib.auth.models import Permission

    officer = world.street2_officer
    officer.is_staff = True
    officer.save()
    officer.user_permissions.add(Permission.objects.get(codename="view_residentialarea"))
    client.force_login(officer)
    body = client.get("/admin/org/residentialarea/").content.decode()
    assert "沙溪小区" in body and "桥河小区" not in body
