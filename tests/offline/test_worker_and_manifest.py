"""The service worker and the manifest: served from the site, small, and under a strict CSP."""
import struct

from lms.security import CSP


def test_the_service_worker_is_served_from_the_root_and_always_rechecked(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    response.close()
    assert "addEventListener(\"fetch\"" in body
    assert "http://" not in body and "https://" not in body  # nothing from outside hosts
    assert len(response.get_data()) < 10_000


def test_the_policy_stays_strict_and_allows_only_our_own_worker_and_manifest(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert policy == CSP
    assert "worker-src 'self'" in policy and "manifest-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_the_manifest_has_a_vietnamese_name_and_tiny_icons_of_the_sizes_it_says(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.mimetype == "application/manifest+json"
    data = manifest.get_json()
    assert data["short_name"] == "Lớp Số" and data["lang"] == "vi"
    assert data["name"].startswith("Lớp Số") and data["start_url"] == "/" and data["display"] == "standalone"
    pngs = [icon for icon in data["icons"] if icon["type"] == "image/png"]
    assert {icon["sizes"] for icon in pngs} == {"192x192", "512x512"}
    for icon in data["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and len(image.get_data()) < 1024, icon["src"]
        if icon["type"] == "image/png":
            width, height = struct.unpack(">II", image.get_data()[16:24])
            assert f"{width}x{height}" == icon["sizes"]
        image.close()


def test_every_page_links_the_manifest_and_the_offline_script_and_hides_the_banner(client):
    page = client.get("/").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert "/static/js/offline.js?v=" in page
    assert '<p id="offline-banner" class="offline-banner" role="status" hidden' in page
    assert "Điện thoại đang mất mạng" in page  # the banner's words are in the page, shown by the script
