"""The map's pages: what each user sees, what they may change, and that every change is audited."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gongjian.core.models import AuditEntry
from gongjian.orgs.models import Alliance, AllianceMember, Area, Level, PartyOrg, ResidentUnit
from gongjian.testing import World, credit_code


def _audit(action: str, obj_pk: int | None = None) -> AuditEntry | None:
    qs = AuditEntry.objects.filter(action=action)
    if obj_pk is not None:
        qs = qs.filter(object_id=str(obj_pk))
    return qs.order_by("-seq").first()


def _urls_in_scope_of_wjl(world: World) -> list[str]:
    """Every map page that 王家垅社区's administrator may open."""
    return [
        reverse("orgs:area_detail", args=[world.wjl.pk]),
        reverse("orgs:area_detail", args=[world.wjl_compound.pk]),
        reverse("orgs:area_edit", args=[world.wjl.pk]),
        reverse("orgs:area_add_child", args=[world.wjl.pk]),
        reverse("orgs:unit_list"),
        f"{reverse('orgs:unit_list')}?within={world.wjl.pk}&q=mz&kind=organ&rank=provincial",
        reverse("orgs:unit_create"),
        f"{reverse('orgs:unit_create')}?area={world.wjl.pk}",
        reverse("orgs:unit_detail", args=[world.minzheng.pk]),
        reverse("orgs:unit_edit", args=[world.minzheng.pk]),
        reverse("orgs:org_list"),
        f"{reverse('orgs:org_list')}?within={world.wjl.pk}&kind=committee",
        reverse("orgs:org_create"),
        f"{reverse('orgs:org_create')}?area={world.wjl_compound.pk}",
        f"{reverse('orgs:org_create')}?unit={world.minzheng.pk}",
        reverse("orgs:org_detail", args=[world.wjl_committee.pk]),
        reverse("orgs:org_detail", args=[world.wjl_branch.pk]),
        reverse("orgs:org_edit", args=[world.wjl_branch.pk]),
        reverse("orgs:alliance_list"),
        reverse("orgs:alliance_create"),
        f"{reverse('orgs:alliance_create')}?convener={world.wjl_committee.pk}",
        reverse("orgs:search"),
        f"{reverse('orgs:search')}?q=wjl",
    ]


def _urls_in_scope_of_dongfeng(world: World) -> list[str]:
    member = AllianceMember.objects.get(alliance=world.alliance, unit=world.minzheng)
    return [
        reverse("orgs:area_detail", args=[world.dongfeng.pk]),
        reverse("orgs:alliance_detail", args=[world.alliance.pk]),
        reverse("orgs:alliance_edit", args=[world.alliance.pk]),
        reverse("orgs:alliance_member_add", args=[world.alliance.pk]),
        f"{reverse('orgs:alliance_member_add', args=[world.alliance.pk])}?q=mz",
        reverse("orgs:alliance_member_end", args=[world.alliance.pk, member.pk]),
        f"{reverse('orgs:alliance_list')}?within={world.dongfeng.pk}&q=dfl",
    ]


# --- every page renders -------------------------------------------------------------------


def test_every_map_page_renders_for_a_community_admin(client, world):
    client.force_login(world.wjl_admin)
    for url in _urls_in_scope_of_wjl(world):
        response = client.get(url)
        assert response.status_code == 200, url


def test_every_map_page_renders_for_a_street_admin(client, world):
    client.force_login(world.dongfeng_admin)
    for url in [*_urls_in_scope_of_wjl(world), *_urls_in_scope_of_dongfeng(world)]:
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_pages_render_in_every_language(client, world, language):
    client.force_login(world.city_admin)
    client.cookies["django_language"] = language
    urls = [
        reverse("home"),
        reverse("orgs:area_detail", args=[world.changsha.pk]),
        *_urls_in_scope_of_wjl(world),
        *_urls_in_scope_of_dongfeng(world),
        reverse("orgs:area_detail", args=[world.jsh.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}">' in html, url


def test_set_language_switches_the_pages(client, world):
    client.force_login(world.wjl_admin)
    url = reverse("orgs:area_detail", args=[world.wjl.pk])
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    page = client.get(url)
    assert '<html lang="en">' in page.content.decode()
    # The figure cards are labelled from the indicator catalogue in the chosen language.
    assert "Resident units" in page.content.decode()
    client.post(reverse("set_language"), {"language": "zh-hant", "next": url})
    page = client.get(url)
    assert '<html lang="zh-hant">' in page.content.decode()
    assert "駐區單位" in page.content.decode()


def test_layout_works_on_a_phone_and_has_no_inline_script(client, world):
    client.force_login(world.wjl_admin)
    response = client.get(reverse("orgs:area_detail", args=[world.wjl.pk]))
    html = response.content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "navbar-toggler" in html
    # The Content-Security-Policy allows scripts from this site only.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> found"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler found"


def test_navigation_search_box_and_user_menu(client, world):
    client.force_login(world.wjl_admin)
    html = client.get(reverse("orgs:unit_list")).content.decode()
    assert f'action="{reverse("orgs:search")}"' in html
    assert f'action="{reverse("accounts:logout")}"' in html
    assert f'href="{reverse("accounts:tokens")}"' in html
    assert f'action="{reverse("set_language")}"' in html
    assert "王家垅社区" in html  # the role in the user menu
    assert f'href="{reverse("stats:home")}"' in html  # every module is open (Figures came last)


# --- the tree and an area's page -------------------------------------------------------------


def test_tree_goes_straight_to_the_only_root(client, world):
    client.force_login(world.wjl_admin)
    response = client.get(reverse("orgs:tree"))
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:area_detail", args=[world.wjl.pk])


def test_tree_lists_several_roots(client, world):
    from gongjian.accounts.models import RoleKind
    from gongjian.accounts.services import role_grant

    role_grant(actor=None, user=world.wjl_admin, kind=RoleKind.COMMUNITY_ADMIN, area=world.jsh)
    client.force_login(world.wjl_admin)
    response = client.get(reverse("orgs:tree"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "王家垅社区" in html
    assert "尖山湖社区" in html


def test_liaison_starts_at_their_unit(client, world):
    client.force_login(world.liaison)
    response = client.get(reverse("orgs:tree"), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "湖南省民政厅" in html
    assert "芯城科技园" not in html


def test_area_page_shows_children_figures_orgs_units_and_alliances(client, world):
    client.force_login(world.dongfeng_admin)
    response = client.get(reverse("orgs:area_detail", args=[world.dongfeng.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "王家垅社区" in html  # child
    assert "东风路街道党工委" in html  # organisation on this node
    assert "湖南省民政厅" in html  # resident unit below
    assert "东风路街道区域化党建联盟" in html  # alliance
    assert 'data-indicator="units.resident"' in html
    assert "驻区单位" in html  # figure label, zh-hans by default
    # Buttons: edit, add below, export, import.
    for name, args in [
        ("orgs:area_edit", [world.dongfeng.pk]),
        ("orgs:area_add_child", [world.dongfeng.pk]),
        ("orgs:export", [world.dongfeng.pk]),
        ("orgs:import", []),
    ]:
        assert f'href="{reverse(name, args=args)}"' in html
    # The way up: 开福区 is shown by name, but it is not the street admin's to open.
    assert "开福区" in html
    assert f'href="{reverse("orgs:area_detail", args=[world.kaifu.pk])}"' not in html


def test_area_page_counts_the_subtree_of_each_child(client, world):
    client.force_login(world.city_admin)
    response = client.get(reverse("orgs:area_detail", args=[world.changsha.pk]))
    children = {row["area"].pk: row for row in response.context["children"]}
    assert children[world.kaifu.pk]["units"] == 1
    assert children[world.gaoxin.pk]["units"] == 1
    assert children[world.kaifu.pk]["orgs"] == 4  # 东风路 党工委, 王家垅 党委 and 支部, 民政厅 党委
    assert children[world.gaoxin.pk]["orgs"] == 3
    figures = {card["id"]: card["value"] for card in response.context["figures"]}
    assert figures["units.resident"] == 2


def test_area_page_lists_fifty_units_and_links_to_the_rest(client, world):
    from gongjian.orgs import services

    for i in range(55):
        services.unit_create(
            actor=world.wjl_admin,
            name=f"单位{i:02d}",
            credit_code=credit_code(5000 + i),
            kind="private",
            area=world.wjl_compound,
        )
    client.force_login(world.wjl_admin)
    response = client.get(reverse("orgs:area_detail", args=[world.wjl.pk]))
    assert len(response.context["units"]) == 50
    assert response.context["unit_total"] == 56
    assert f"{reverse('orgs:unit_list')}?within={world.wjl.pk}" in response.content.decode()
    listing = client.get(f"{reverse('orgs:unit_list')}?within={world.wjl.pk}")
    assert listing.context["page"].paginator.count == 56
    assert len(listing.context["page"].object_list) == 50
    second = client.get(f"{reverse('orgs:unit_list')}?within={world.wjl.pk}&page=2")
    assert len(second.context["page"].object_list) == 6


# --- scope: another community's rows ---------------------------------------------------------


def _jsh_urls(world: World) -> list[str]:
    member = AllianceMember.objects.get(alliance=world.jsh_alliance, unit=world.jsh_firm)
    return [
        reverse("orgs:area_detail", args=[world.jsh.pk]),
        reverse("orgs:area_edit", args=[world.jsh.pk]),
        reverse("orgs:area_add_child", args=[world.jsh.pk]),
        reverse("orgs:unit_detail", args=[world.jsh_firm.pk]),
        reverse("orgs:unit_edit", args=[world.jsh_firm.pk]),
        reverse("orgs:org_detail", args=[world.jsh_branch.pk]),
        reverse("orgs:org_edit", args=[world.jsh_branch.pk]),
        reverse("orgs:alliance_detail", args=[world.jsh_alliance.pk]),
        reverse("orgs:alliance_edit", args=[world.jsh_alliance.pk]),
        reverse("orgs:alliance_member_add", args=[world.jsh_alliance.pk]),
        reverse("orgs:alliance_member_end", args=[world.jsh_alliance.pk, member.pk]),
        f"{reverse('orgs:unit_list')}?within={world.jsh.pk}",
        f"{reverse('orgs:org_create')}?area={world.jsh.pk}",
        f"{reverse('orgs:unit_create')}?area={world.jsh.pk}",
    ]


def test_another_communitys_pages_are_404(client, world):
    client.force_login(world.wjl_admin)
    for url in _jsh_urls(world):
        assert client.get(url).status_code == 404, url


def test_another_communitys_rows_cannot_be_changed(client, world):
    client.force_login(world.wjl_admin)
    before = AuditEntry.objects.count()
    member = AllianceMember.objects.get(alliance=world.jsh_alliance, unit=world.jsh_firm)
    posts = [
        (
            reverse("orgs:area_edit", args=[world.jsh.pk]),
            {"name": "改名", "code": world.jsh.code, "since": "2000-01-01"},
        ),
        (reverse("orgs:area_add_child", args=[world.jsh.pk]), {"name": "新小区", "level": "5"}),
        (
            reverse("orgs:unit_edit", args=[world.jsh_firm.pk]),
            {
                "name": "改名",
                "credit_code": world.jsh_firm.credit_code,
                "kind": "private",
                "rank": "none",
                "area": str(world.jsh.pk),
                "hosted_firms": "0",
                "since": "2000-01-01",
            },
        ),
        (reverse("orgs:unit_reveal_phone", args=[world.jsh_firm.pk]), {"reason": "curious"}),
        (
            reverse("orgs:org_edit", args=[world.jsh_branch.pk]),
            {"name": "改名", "code": world.jsh_branch.code, "kind": "branch", "since": "2000-01-01"},
        ),
        (
            reverse("orgs:alliance_edit", args=[world.jsh_alliance.pk]),
            {"name": "改名", "level": "community", "since": "2000-01-01"},
        ),
        (
            reverse("orgs:alliance_member_add", args=[world.jsh_alliance.pk]),
            {"unit": str(world.minzheng.pk)},
        ),
        (
            reverse("orgs:alliance_member_end", args=[world.jsh_alliance.pk, member.pk]),
            {"until": "2030-01-01"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code in (403, 404), url
    # Creating rows that sit in 尖山湖 is refused too (the choices do not even offer it).
    response = client.post(
        reverse("orgs:unit_create"),
        {
            "name": "外来单位",
            "credit_code": credit_code(9001),
            "kind": "private",
            "rank": "none",
            "area": str(world.jsh.pk),
            "hosted_firms": "0",
        },
    )
    assert response.status_code in (200, 403, 404)
    assert not ResidentUnit.objects.filter(name="外来单位").exists()
    response = client.post(
        reverse("orgs:org_create"),
        {"name": "外来支部", "code": "PO-X", "kind": "branch", "area": str(world.jsh_compound.pk)},
    )
    assert not PartyOrg.objects.filter(code="PO-X").exists()

    assert AuditEntry.objects.count() == before
    world.jsh.refresh_from_db()
    world.jsh_firm.refresh_from_db()
    world.jsh_branch.refresh_from_db()
    world.jsh_alliance.refresh_from_db()
    member.refresh_from_db()
    assert world.jsh.name == "尖山湖社区"
    assert world.jsh_firm.name == "芯城科技园"
    assert world.jsh_branch.name == "芯城小区党支部"
    assert world.jsh_alliance.name == "尖山湖社区大服务联盟"
    assert member.until is None
    assert not Area.objects.filter(name="新小区").exists()


def test_lists_show_only_rows_in_scope(client, world):
    client.force_login(world.wjl_admin)
    units = client.get(reverse("orgs:unit_list")).content.decode()
    assert "湖南省民政厅" in units
    assert "芯城科技园" not in units
    orgs = client.get(reverse("orgs:org_list")).content.decode()
    assert "王家垅社区党委" in orgs
    assert "芯城小区党支部" not in orgs
    # Choices in forms come from the same scope.
    form_html = client.get(reverse("orgs:unit_create")).content.decode()
    assert "王家垅社区" in form_html
    assert "尖山湖社区" not in form_html


@pytest.mark.parametrize("who", ["member", "resident"])
def test_members_and_residents_have_no_map_pages(client, world, who):
    client.force_login(getattr(world, who))
    urls = [
        reverse("orgs:tree"),
        reverse("orgs:search") + "?q=cs",
        reverse("orgs:unit_list"),
        reverse("orgs:org_list"),
        reverse("orgs:alliance_list"),
        reverse("orgs:area_detail", args=[world.wjl.pk]),
        reverse("orgs:unit_detail", args=[world.minzheng.pk]),
        reverse("orgs:org_detail", args=[world.wjl_committee.pk]),
        reverse("orgs:alliance_detail", args=[world.alliance.pk]),
        reverse("orgs:unit_create"),
    ]
    for url in urls:
        assert client.get(url).status_code in (403, 404), url
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "no-scope" in home.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(reverse("orgs:area_detail", args=[world.wjl.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- areas -----------------------------------------------------------------------------------


def test_edit_an_area(client, world):
    client.force_login(world.wjl_admin)
    url = reverse("orgs:area_edit", args=[world.wjl.pk])
    page = client.get(url)
    assert 'value="王家垅社区"' in page.content.decode()
    response = client.post(
        url,
        {
            "name": "王家垅社区",
            "code": world.wjl.code,
            "kind_label": "老旧社区",
            "old_compound": "on",
            "since": "2001-05-01",
            "until": "",
        },
    )
    assert response.status_code == 302
    world.wjl.refresh_from_db()
    assert world.wjl.kind_label == "老旧社区"
    assert world.wjl.old_compound is True
    entry = _audit("area.update", world.wjl.pk)
    assert entry is not None
    assert entry.actor == world.wjl_admin
    assert entry.changes["kind_label"] == ["社区", "老旧社区"]


def test_area_edit_shows_service_errors_and_changes_nothing(client, world):
    client.force_login(world.wjl_admin)
    before = AuditEntry.objects.count()
    response = client.post(
        reverse("orgs:area_edit", args=[world.wjl.pk]),
        {"name": "王家垅社区", "code": world.wjl_compound.code, "since": "2000-01-01"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert AuditEntry.objects.count() == before
    world.wjl.refresh_from_db()
    assert world.wjl.code != world.wjl_compound.code


def test_add_a_child_area_defaults_to_the_next_level(client, world):
    client.force_login(world.wjl_admin)
    url = reverse("orgs:area_add_child", args=[world.wjl.pk])
    page = client.get(url)
    assert page.context["form"]["level"].initial == Level.COMPOUND
    assert str(Level.COMMUNITY.label) not in [
        label for _v, label in page.context["form"].fields["level"].choices
    ]
    response = client.post(url, {"name": "31号庭院", "level": str(Level.COMPOUND), "kind_label": "庭院"})
    assert response.status_code == 302
    child = Area.objects.get(name="31号庭院")
    assert Area.objects.get_parent(child) == world.wjl
    assert child.level == Level.COMPOUND
    assert child.code.startswith(world.wjl.code)
    assert response["Location"] == reverse("orgs:area_detail", args=[child.pk])
    entry = _audit("area.create", child.pk)
    assert entry is not None and entry.actor == world.wjl_admin


def test_a_building_has_no_add_below_button(client, world):
    client.force_login(world.wjl_admin)
    html = client.get(reverse("orgs:area_detail", args=[world.wjl_building.pk])).content.decode()
    assert reverse("orgs:area_add_child", args=[world.wjl_building.pk]) not in html


# --- resident units ----------------------------------------------------------------------------


def _unit_post(world: World, **overrides: str) -> dict[str, str]:
    data = {
        "name": "长沙市第一医院",
        "credit_code": credit_code(7007, "430105"),
        "kind": "hospital",
        "rank": "municipal",
        "area": str(world.wjl.pk),
        "address": "王家垅路1号",
        "lat": "28.2",
        "lng": "112.98",
        "contact_name": "办公室",
        "contact_phone": "13912345678",
        "hosted_firms": "0",
    }
    data.update(overrides)
    return data


def test_create_a_unit(client, world):
    client.force_login(world.wjl_admin)
    response = client.post(reverse("orgs:unit_create"), _unit_post(world))
    assert response.status_code == 302
    unit = ResidentUnit.objects.get(name="长沙市第一医院")
    assert response["Location"] == reverse("orgs:unit_detail", args=[unit.pk])
    assert unit.area == world.wjl
    assert unit.contact_phone_masked == "139****5678"
    entry = _audit("unit.create", unit.pk)
    assert entry is not None and entry.actor == world.wjl_admin
    assert "13912345678" not in str(entry.changes)
    detail = client.get(response["Location"]).content.decode()
    assert "139****5678" in detail
    assert "13912345678" not in detail


def test_unit_form_rejects_a_bad_credit_code(client, world):
    client.force_login(world.wjl_admin)
    response = client.post(reverse("orgs:unit_create"), _unit_post(world, credit_code="91430100MA4L12345X"))
    assert response.status_code == 200
    assert response.context["form"].errors["credit_code"]
    assert not ResidentUnit.objects.filter(name="长沙市第一医院").exists()
    # The clear phone number typed in is not written back into the page.
    assert "13912345678" not in response.content.decode()


def test_edit_a_unit(client, world):
    client.force_login(world.wjl_admin)
    url = reverse("orgs:unit_edit", args=[world.minzheng.pk])
    page = client.get(url).content.decode()
    assert "13800001234" not in page
    assert "138****1234" in page
    data = _unit_post(
        world,
        name="湖南省民政厅",
        credit_code=world.minzheng.credit_code,
        kind="organ",
        rank="provincial",
        area=str(world.wjl_compound.pk),
        contact_phone="",
        since="2000-01-01",
    )
    response = client.post(url, data)
    assert response.status_code == 302
    world.minzheng.refresh_from_db()
    assert world.minzheng.area == world.wjl_compound
    assert world.minzheng.address == "王家垅路1号"
    assert world.minzheng.contact_phone_masked == "138****1234"  # kept
    entry = _audit("unit.update", world.minzheng.pk)
    assert entry is not None and "area" in entry.changes and "contact_phone" not in entry.changes


def test_liaison_edits_only_address_position_and_contact(client, world):
    client.force_login(world.liaison)
    url = reverse("orgs:unit_edit", args=[world.minzheng.pk])
    form = client.get(url).context["form"]
    assert set(form.fields) == {
        "address",
        "lat",
        "lng",
        "contact_name",
        "contact_phone",
        "clear_contact_phone",
    }
    response = client.post(
        url,
        {"address": "新地址", "contact_name": "联络员乙", "contact_phone": "13700007777", "name": "Renamed"},
    )
    assert response.status_code == 302
    world.minzheng.refresh_from_db()
    assert world.minzheng.address == "新地址"
    assert world.minzheng.contact_name == "联络员乙"
    assert world.minzheng.contact_phone_masked == "137****7777"
    assert world.minzheng.name == "湖南省民政厅"
    entry = _audit("unit.update", world.minzheng.pk)
    assert entry is not None and entry.actor == world.liaison


def test_unit_list_filters(client, world):
    client.force_login(world.city_admin)
    url = reverse("orgs:unit_list")

    def names(query: str) -> set[str]:
        return {u.name for u in client.get(url + query).context["page"].object_list}

    assert names("") == {"湖南省民政厅", "芯城科技园"}
    assert names("?q=民政") == {"湖南省民政厅"}
    assert names("?q=芯城") == {"芯城科技园"}
    assert names("?q=xckjy") == {"芯城科技园"}
    assert names(f"?q={world.jsh_firm.credit_code}") == {"芯城科技园"}
    assert names("?kind=private") == {"芯城科技园"}
    assert names("?rank=provincial") == {"湖南省民政厅"}
    assert names(f"?within={world.gaoxin.pk}") == {"芯城科技园"}
    assert names(f"?within={world.kaifu.pk}&kind=private") == set()
    assert names("?kind=bogus&q=民政") == {"湖南省民政厅"}  # a bad filter is dropped, not the others
    assert client.get(url + "?within=abc").status_code == 404


def test_reveal_the_contact_phone_needs_a_reason_and_is_audited(client, world):
    client.force_login(world.wjl_admin)
    url = reverse("orgs:unit_reveal_phone", args=[world.minzheng.pk])
    assert client.get(url).status_code == 405

    before = AuditEntry.objects.filter(action="pii.reveal").count()
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert "13800001234" not in response.content.decode()
    assert response.context["reveal_form"].errors
    assert AuditEntry.objects.filter(action="pii.reveal").count() == before

    response = client.post(url, {"reason": "联系共建活动场地"})
    assert response.status_code == 200
    assert "13800001234" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    entry = _audit("pii.reveal", world.minzheng.pk)
    assert entry is not None
    assert entry.actor == world.wjl_admin
    assert entry.reason == "联系共建活动场地"
    assert "13800001234" not in str(entry.changes)

    # Shown once: the next visit is masked again.
    detail = client.get(reverse("orgs:unit_detail", args=[world.minzheng.pk])).content.decode()
    assert "13800001234" not in detail
    assert "138****1234" in detail


# --- Party organisations -------------------------------------------------------------------


def test_create_and_edit_a_party_org(client, world):
    client.force_login(world.wjl_admin)
    response = client.post(
        reverse("orgs:org_create"),
        {
            "name": "1栋党小组",
            "code": "PO-WJL-30-1",
            "kind": "group",
            "area": str(world.wjl_building.pk),
            "parent": str(world.wjl_branch.pk),
            "secretary": "张三",
        },
    )
    assert response.status_code == 302
    org = PartyOrg.objects.get(code="PO-WJL-30-1")
    assert org.area == world.wjl_building and org.parent == world.wjl_branch
    assert _audit("party_org.create", org.pk) is not None

    response = client.post(
        reverse("orgs:org_edit", args=[org.pk]),
        {
            "name": "1栋党小组",
            "code": "PO-WJL-30-1",
            "kind": "group",
            "parent": str(world.wjl_branch.pk),
            "secretary": "李四",
            "since": "2019-07-01",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.secretary == "李四"
    entry = _audit("party_org.update", org.pk)
    assert entry is not None and entry.changes["secretary"] == ["张三", "李四"]

    detail = client.get(reverse("orgs:org_detail", args=[org.pk])).content.decode()
    assert "30号庭院党支部" in detail
    assert "李四" in detail


def test_a_unit_org_sits_where_its_unit_sits(client, world):
    client.force_login(world.liaison)
    response = client.post(
        reverse("orgs:org_create"),
        {
            "name": "民政厅第二支部",
            "code": "PO-MZT-2",
            "kind": "branch",
            "unit": str(world.minzheng.pk),
            "parent": str(world.minzheng_org.pk),
        },
    )
    assert response.status_code == 302
    org = PartyOrg.objects.get(code="PO-MZT-2")
    assert org.unit == world.minzheng and org.area == world.wjl


def test_duplicate_org_code_is_shown_on_the_form(client, world):
    client.force_login(world.wjl_admin)
    response = client.post(
        reverse("orgs:org_create"),
        {"name": "重复", "code": "PO-WJL", "kind": "branch", "area": str(world.wjl_compound.pk)},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not PartyOrg.objects.filter(name="重复").exists()


def test_org_list_filters(client, world):
    client.force_login(world.dongfeng_admin)
    url = reverse("orgs:org_list")

    def names(query: str) -> set[str]:
        return {o.name for o in client.get(url + query).context["page"].object_list}

    assert names("?kind=branch") == {"30号庭院党支部"}
    assert names(f"?within={world.wjl_compound.pk}") == {"30号庭院党支部"}
    assert names("?q=wjl") == {"王家垅社区党委"}


# --- alliances -------------------------------------------------------------------------------


def test_create_edit_and_manage_an_alliance(client, world):
    client.force_login(world.wjl_admin)
    response = client.post(
        reverse("orgs:alliance_create"),
        {
            "name": "王家垅社区大党委",
            "level": "community",
            "convener": str(world.wjl_committee.pk),
            "description": "共驻共建",
        },
    )
    assert response.status_code == 302
    alliance = Alliance.objects.get(name="王家垅社区大党委")
    assert alliance.area == world.wjl
    assert _audit("alliance.create", alliance.pk) is not None

    response = client.post(
        reverse("orgs:alliance_edit", args=[alliance.pk]),
        {
            "name": "王家垅社区大党委",
            "level": "community",
            "description": "每季度联席会议",
            "since": "2018-03-01",
        },
    )
    assert response.status_code == 302
    alliance.refresh_from_db()
    assert alliance.description == "每季度联席会议"
    assert _audit("alliance.update", alliance.pk) is not None

    response = client.post(
        reverse("orgs:alliance_member_add", args=[alliance.pk]),
        {"unit": str(world.minzheng.pk), "representative": "代表乙", "representative_title": "处长"},
    )
    assert response.status_code == 302
    member = AllianceMember.objects.get(alliance=alliance, unit=world.minzheng)
    assert member.representative == "代表乙"
    assert _audit("alliance.member_add", member.pk) is not None

    detail = client.get(reverse("orgs:alliance_detail", args=[alliance.pk])).content.decode()
    assert "湖南省民政厅" in detail and "代表乙" in detail

    # Joining twice is refused with a message on the form.
    response = client.post(
        reverse("orgs:alliance_member_add", args=[alliance.pk]), {"unit": str(world.minzheng.pk)}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]

    end_url = reverse("orgs:alliance_member_end", args=[alliance.pk, member.pk])
    response = client.post(end_url, {"until": "1999-12-31"})  # before it began
    assert response.status_code == 200
    assert response.context["form"].errors["until"]
    response = client.post(end_url, {"until": "2030-06-30"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert str(member.until) == "2030-06-30"
    assert _audit("alliance.member_end", member.pk) is not None
    detail = client.get(reverse("orgs:alliance_detail", args=[alliance.pk]))
    assert list(detail.context["members"]) == []
    assert [m.pk for m in detail.context["past_members"]] == [member.pk]


def test_alliance_convened_by_a_unit_org_is_refused_on_the_form(client, world):
    client.force_login(world.wjl_admin)
    response = client.post(
        reverse("orgs:alliance_create"),
        {"name": "不行", "level": "community", "convener": str(world.minzheng_org.pk)},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["convener"]
    assert not Alliance.objects.filter(name="不行").exists()


def test_a_member_units_liaison_sees_the_alliance_but_cannot_manage_it(client, world):
    client.force_login(world.liaison)
    response = client.get(reverse("orgs:alliance_detail", args=[world.alliance.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "湖南省民政厅" in html
    assert reverse("orgs:alliance_edit", args=[world.alliance.pk]) not in html
    response = client.post(
        reverse("orgs:alliance_edit", args=[world.alliance.pk]),
        {"name": "改名", "level": "street", "since": "2000-01-01"},
    )
    assert response.status_code == 403
    world.alliance.refresh_from_db()
    assert world.alliance.name == "东风路街道区域化党建联盟"


def test_member_end_of_another_alliance_is_404(client, world):
    client.force_login(world.city_admin)
    member = AllianceMember.objects.get(alliance=world.jsh_alliance)
    url = reverse("orgs:alliance_member_end", args=[world.alliance.pk, member.pk])
    assert client.post(url, {"until": "2030-01-01"}).status_code == 404
    member.refresh_from_db()
    assert member.until is None


# --- search ----------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["长沙", "長沙", "cs", "CS"])
def test_search_finds_changsha_in_either_script_and_by_initials(client, world, query):
    client.force_login(world.city_admin)
    response = client.get(reverse("orgs:search"), {"q": query})
    assert response.status_code == 200
    groups = {g["key"]: g for g in response.context["groups"]}
    assert world.changsha in groups["areas"]["rows"]
    assert f'href="{reverse("orgs:area_detail", args=[world.changsha.pk])}"' in response.content.decode()


def test_search_by_initials_finds_wangjialong(client, world):
    client.force_login(world.dongfeng_admin)
    response = client.get(reverse("orgs:search"), {"q": "wjl"})
    groups = {g["key"]: g for g in response.context["groups"]}
    assert world.wjl in groups["areas"]["rows"]
    assert world.wjl_committee in groups["orgs"]["rows"]
    assert "王家垅社区" in response.content.decode()


def test_search_stays_in_scope(client, world):
    client.force_login(world.wjl_admin)
    response = client.get(reverse("orgs:search"), {"q": "社区"})
    html = response.content.decode()
    assert "王家垅社区" in html
    assert "尖山湖社区" not in html
    response = client.get(reverse("orgs:search"), {"q": "cs"})
    groups = {g["key"]: g for g in response.context["groups"]}
    assert world.changsha not in groups["areas"]["rows"]


def test_empty_search_shows_the_form(client, world):
    client.force_login(world.wjl_admin)
    response = client.get(reverse("orgs:search"))
    assert response.status_code == 200
    assert response.context["groups"] == []


def test_the_map_takes_its_unit_counts_from_the_kept_figure(client, world):
    """Issue 17: the map at the root costs what it shows: the units under each child and in all
    come from the kept ``units.resident`` figure (the same numbers), never a count of the city's units."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongjian.orgs import selectors

    client.force_login(world.city_admin)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("orgs:area_detail", args=[world.changsha.pk]))
    assert response.status_code == 200
    counted = [q["sql"] for q in queries if "COUNT(" in q["sql"] and 'FROM "orgs_residentunit"' in q["sql"]]
    assert counted == []
    for row in response.context["children"]:
        rows = selectors.unit_list(actor=world.city_admin, within=row["area"]).count()
        assert row["units"] == rows
    assert response.context["unit_total"] == selectors.unit_list(actor=world.city_admin).count() == 2
