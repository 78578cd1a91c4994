"""Open311 clients we did not write, against the real server: civicbot's
Open311Client lists services, posts a request and reads it back; georeport reads
the same in XML."""

from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from georeport import GeoReport

from pingan.demo.loader import DEMO_API_KEY
from tests.server import running_demo

# A point in the demo district (平安区); the demo's grids tile the district outline.
LNG, LAT = 102.05, 36.47


def test_third_party_clients_list_post_and_read_back():
    with running_demo() as base:
        root = f"{base}/open311/v2"
        endpoint = Endpoint(id="pingan", name="平安区", base_url=root, write=True)
        client = Open311Client(endpoint, jurisdiction_id="630203")
        services = client.list_services()
        assert any(s["service_code"] == "CG05" for s in services)
        sent = client.create_request(
            "CG05",
            dry_run=False,
            confirm="SEND",
            api_key=DEMO_API_KEY,
            lat=LAT,
            lng=LNG,
            description="井盖缺失，夜间危险",
            address_string="平安大道",
        )
        receipt = sent.response[0]["service_request_id"]
        back = client.get_request(receipt)
        assert back["service_code"] == "CG05" and back["status"] == "open"

        xml_client = GeoReport(root, jurisdiction="630203", output_format="xml")
        assert len(xml_client.get_service_list()) == len(services)
        assert xml_client.get_service_request(receipt)["description"] == "井盖缺失，夜间危险"
